import BusCore
import Foundation
import Logging
import ServiceKit

/// A domain service hosted in this process on a test bus, stopped with `stop()`.
public final class RunningService: Sendable {
    public let host: ServiceHost
    private let task: Task<Void, any Error>

    public init(_ service: any DomainService, bus: TestBus, databasePath: String,
                heartbeat: Duration = .milliseconds(100), environment: ServiceEnvironment = ServiceEnvironment()) async throws {
        var configuration = ServiceHost.Configuration(databasePath: databasePath, endpoints: bus.endpoints,
                                                      logger: Logger(label: "test.\(service.name)"))
        configuration.heartbeatInterval = heartbeat
        configuration.environment = environment
        let host = ServiceHost(service: service, configuration: configuration, context: bus.context)
        self.host = host
        task = Task { try await host.run() }
        try await host.waitUntilReady()
    }

    /// Stops the service the way a shutdown does and waits for it.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}
