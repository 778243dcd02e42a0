import Agents
import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import Intelligence
import Liaison
import Logistics
import Registry
import ServiceKit
import Training

/// Every service in one process on one real bus, with an operator's command client.
struct FlowBed {
    let bus: TestBus
    let folder: TemporaryFolder
    let services: [RunningService]
    let connection: BusConnection
    let client: CommandClient

    static let domains: [any DomainService] = [RegistryService(), LogisticsService(), IntelligenceService(), TrainingService(), LiaisonService()]

    static let catalog = domains.reduce(MessageCatalog()) { $0.merging($1.catalog) }

    static func start() async throws -> FlowBed {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        var services: [RunningService] = []
        for domain in domains {
            services.append(try await RunningService(domain, bus: bus, databasePath: folder.path("\(domain.name).sqlite")))
        }
        let connection = try await bus.connect()
        return FlowBed(bus: bus, folder: folder, services: services, connection: connection,
                       client: CommandClient(connection: connection, catalog: catalog))
    }

    /// A field of an entity, read through its service's get query.
    func field(_ query: String, _ key: [String: String], _ name: String) async throws -> String? {
        try await client.send(query, key).decodeData([String: JSONValue].self)[name]?.stringValue
    }

    /// Sends a command or query at its current data version as `source` (a partner's with the
    /// clearance the gateway would stamp) and returns the answer.
    func request(_ type: String, _ data: [UInt8], from source: String, clearance: Classification = .secret) async throws -> Envelope {
        var envelope = Envelope(id: UUID().uuidString, source: source, type: type, dataVersion: Self.catalog.version(of: type) ?? 1, data: data)
        envelope.idempotencyKey = envelope.id
        envelope.extensions["clearance"] = clearance.rawValue
        return try await connection.request(envelope, timeout: .seconds(10))
    }

    /// The labelled events of `service` a partner of `clearance` would receive, by type.
    func received(from service: String, partner: String, clearance: Classification) throws -> [String] {
        try receivedText(from: service, partner: partner, clearance: clearance).map { try EnvelopeCodec.decode(Array($0.utf8)).type }
    }

    /// The whole text of each event of `service` a partner of `clearance` would receive.
    func receivedText(from service: String, partner: String, clearance: Classification) throws -> [String] {
        try DatabaseQueue(path: folder.path("\(service).sqlite")).read { db in
            try Data.fetchAll(db, sql: "SELECT envelope FROM journal ORDER BY sequence").compactMap { bytes -> String? in
                let envelope = try EnvelopeCodec.decode(Array(bytes))
                return Releasability.allows(classification: envelope.classification, releasableTo: envelope.releasableTo,
                                            partner: partner, clearance: clearance) ? String(decoding: bytes, as: UTF8.self) : nil
            }
        }
    }

    /// Reads a service's database while it runs.
    func read<T>(_ service: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: folder.path("\(service).sqlite"), configuration: configuration).read(body)
    }

    /// A service's entities and journal, table by table: what a refused command must leave as it was.
    /// Stored answers and dead letters are bookkeeping; cursors and replicas move with other
    /// services' events, whatever the command did.
    func state(of service: String) throws -> [String: [String]] {
        try read(service) { db in
            var state: [String: [String]] = [:]
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .filter { !$0.hasPrefix("sqlite_") && !$0.hasPrefix("grdb_") && !$0.contains("replica")
                    && !["command_outcome", "dead_letter", "consumer_cursor"].contains($0) }
            for table in tables {
                state[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)")
                    .map { row in row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ") }
                    .sorted()
            }
            return state
        }
    }

    func stop() async {
        await connection.close()
        for service in services.reversed() { await service.stop() }
        await bus.stop()
        folder.remove()
    }
}
