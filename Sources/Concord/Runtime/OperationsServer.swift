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

/// `/healthz` and Prometheus `/metrics` over HTTP for one process's parts.
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
    let logger = Logger(label: "concord.operations")

    init(host: String, port: Int, endpoints: BusEndpoints, context: ZMQContext, services: [String], heartbeatInterval: Duration) {
        self.host = host
        self.port = port
        self.endpoints = endpoints
        self.context = context
        self.services = services
        self.heartbeatInterval = heartbeatInterval
    }

    func run() async throws {
        let registry = MetricsSetup.registry
        let health = BusHealth(endpoints: endpoints, context: context, services: services, heartbeatInterval: heartbeatInterval)
        let check: @Sendable () async -> Health = { await health.check() }
        // Connect and start hearing heartbeats now, not at the first probe from outside.
        Task { _ = await health.check() }
        let channel: any Channel
        do {
            channel = try await bind(registry: registry, check: check)
        } catch {
            // The part itself still runs: health and metrics are for watching it, not for its work.
            logger.error("cannot serve /healthz and /metrics; set CONCORD_METRICS_PORT to a free port (0 turns them off)",
                         metadata: ["operations.address": "\(host):\(port)", "operations.error": "\(error)"])
            try? await gracefulShutdown()
            await health.stop()
            return
        }
        logger.info("health and metrics", metadata: ["operations.url": "http://\(host):\(port)/metrics"])
        try? await gracefulShutdown()
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
