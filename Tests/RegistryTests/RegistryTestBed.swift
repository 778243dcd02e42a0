import Agents
import BusCore
import ConcordTestSupport
import GRDB
import Registry

/// A registry on an in-process bus, with a command client talking to it.
struct RegistryTestBed {
    let bus: TestBus
    let folder: TemporaryFolder
    let service: RunningService
    let connection: BusConnection
    let client: CommandClient

    static func start() async throws -> RegistryTestBed {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let service = try await RunningService(RegistryService(), bus: bus, databasePath: folder.path("registry.sqlite"))
        let connection = try await bus.connect()
        return RegistryTestBed(bus: bus, folder: folder, service: service, connection: connection,
                               client: CommandClient(connection: connection, source: "test/operator", catalog: RegistryCatalog.catalog))
    }

    /// Opens the registry's database read-only, as a test's witness of what it holds.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: folder.path("registry.sqlite"), configuration: configuration).read(body)
    }

    func addPartner(_ code: String, kind: Partner.Kind = .troopContributingCountry, admit: Bool = true) async throws {
        _ = try await client.send("cmd.registry.partner.register",
                                  RegistryMessages.RegisterPartner(code: code, name: "Partner \(code)", kind: kind, clearance: .restricted))
        if admit { _ = try await client.send("cmd.registry.partner.admit", RegistryMessages.PartnerTransition(code: code)) }
    }

    /// Sends and expects a rejection; returns it.
    func rejection<T: Encodable>(_ type: String, _ data: T) async throws -> CommandClient.Rejection {
        do {
            _ = try await client.send(type, data)
        } catch let rejection as CommandClient.Rejection {
            return rejection
        }
        throw BusError(.invalidReply, "\(type) was accepted")
    }

    func stop() async {
        await connection.close()
        await service.stop()
        await bus.stop()
        folder.remove()
    }
}
