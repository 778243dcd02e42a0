import Agents
import ArgumentParser
import BusCore
import Logging
import Registry

/// Connects a short-lived CLI command to the bus.
struct BusClientOptions: ParsableArguments {
    @OptionGroup var bus: BusOptions

    @Option(help: "Seconds to wait for each answer.")
    var timeout = 5.0

    @Option(help: "The member of the mission's staff to act as (operator/<name>). Env: CONCORD_OPERATOR.")
    var operatorName: String?

    /// Runs `body` with a connected command client and closes the connection afterwards.
    func withClient<T>(_ body: (CommandClient) async throws -> T) async throws -> T {
        var configuration = BusConnection.Configuration(endpoints: bus.endpoints)
        configuration.readyTimeout = .seconds(5)
        configuration.logger = Logger(label: "concord.cli")
        configuration.security = try bus.operatorSecurity(operatorName)
        let context = try ZMQContext()
        let connection = try await BusConnection.connect(configuration, context: context)
        let client = CommandClient(connection: connection, source: CommandClient.staffSource(operatorName ?? EnvironmentKey.operatorName.value),
                                   catalog: RegistryCatalog.catalog)
        do {
            let result = try await body(client)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    var duration: Duration { .milliseconds(Int(timeout * 1000)) }
}
