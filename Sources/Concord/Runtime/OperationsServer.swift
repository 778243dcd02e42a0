import BusCore
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// `/healthz` and Prometheus `/metrics` over HTTP for one process's parts. Port 0 picks a free
/// port (`waitUntilReady` tells which); a port that cannot be bound stops the process.
final class OperationsServer: Service, Sendable {
    /// What `/healthz` reports: healthy or not, and one line per check.
    struct Health: Sendable {
        var healthy: Bool
        var lines: [String]
    }

    let host: String
    let port: Int
    let endpoints: BusEndpoints
    let context: ZMQContext
    /// The services of this process whose heartbeats must be heard.
    let services: [String]
    let heartbeatInterval: Duration
    /// Checks of parts of this process that judge their own readiness (the gateway's directory).
    let partChecks: [@Sendable () -> (healthy: Bool, line: String)]
    let logger = Logger(label: "concord.operations")
    private let ready = ReadySignal<Int>()

    /// Who the health checks are on the bus.
    let security: BusSecurity

    init(host: String, port: Int, endpoints: BusEndpoints, context: ZMQContext, security: BusSecurity, services: [String],
         heartbeatInterval: Duration, partChecks: [@Sendable () -> (healthy: Bool, line: String)] = []) {
        self.security = security
        self.host = host
        self.port = port
        self.endpoints = endpoints
        self.context = context
        self.services = services
        self.heartbeatInterval = heartbeatInterval
        self.partChecks = partChecks
    }

    /// Waits until /healthz and /metrics are served; returns the port they are on.
    func waitUntilReady() async throws -> Int { try await ready.wait() }

    func run() async throws {
        let registry = MetricsSetup.registry
        let health = BusHealth(endpoints: endpoints, context: context, security: security, services: services, heartbeatInterval: heartbeatInterval)
        let check: @Sendable () async -> Health = { [partChecks] in
            var result = await health.check()
            for part in partChecks {
                let (healthy, line) = part()
                result.healthy = result.healthy && healthy
                result.lines.append(line)
            }
            return result
        }
        // Listen for heartbeats from the start, so the first /healthz already knows who was heard.
        Task { _ = await health.connect() }
        let channel: any Channel
        do {
            channel = try await bind(registry: registry, check: check)
        } catch {
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            let failure = ListenError(what: "/healthz and /metrics", address: "\(host):\(port)", reason: reason,
                                      hint: "set --metrics-port (CONCORD_METRICS_PORT) to a free port, 0 for any free one, or off")
            ready.fail(failure)
            await health.stop()
            throw failure
        }
        let bound = channel.localAddress?.port ?? port
        ready.succeed(bound)
        logger.info("health and metrics", metadata: ["operations.url": "http://\(host):\(bound)/metrics"])
        // Start hearing heartbeats now, not at the first probe from outside.
        await withDiscardingTaskGroup { group in
            group.addTask { _ = await health.check() }
            try? await gracefulShutdown()
        }
        try? await channel.close()
        await health.stop()
    }

    private func bind(registry: PrometheusCollectorRegistry, check: @escaping @Sendable () async -> Health) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [registry, check] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(OperationsHandler(registry: registry, check: check))
                }
            }
            .bind(host: host, port: port).get()
    }
}
