import Agents
import BusCore
import GRDB
import ServiceKit

/// One domain service on an in-process bus, with a command client talking to it.
public struct ServiceTestBed: Sendable {
    public let bus: TestBus
    public let folder: TemporaryFolder
    public let service: RunningService
    public let connection: BusConnection
    public let client: CommandClient
    public let databaseName: String

    public static func start(_ domain: any DomainService) async throws -> ServiceTestBed {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let name = "\(domain.name).sqlite"
        let service = try await RunningService(domain, bus: bus, databasePath: folder.path(name))
        let connection = try await bus.connect()
        return ServiceTestBed(bus: bus, folder: folder, service: service, connection: connection,
                              client: CommandClient(connection: connection, source: "operator/admin", catalog: domain.catalog),
                              databaseName: name)
    }

    /// Opens the service's database read-only, as a test's witness of what it holds.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: folder.path(databaseName), configuration: configuration).read(body)
    }

    /// The types of the events journaled so far, in order.
    public func journalTypes() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT type FROM journal ORDER BY sequence") }
    }

    /// Sends and expects a refusal; returns it.
    public func rejection<T: Encodable>(_ type: String, _ data: T) async throws -> CommandClient.Rejection {
        do {
            _ = try await client.send(type, data)
        } catch let rejection as CommandClient.Rejection {
            return rejection
        }
        throw BusError(.invalidReply, "\(type) was accepted")
    }

    public func stop() async {
        await connection.close()
        await service.stop()
        await bus.stop()
        folder.remove()
    }
}
