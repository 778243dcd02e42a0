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

/// One HTTP/1.1 connection: GET /healthz, GET /metrics, 404 otherwise.
final class OperationsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry
    let check: @Sendable () async -> OperationsServer.Health
    private let path = Mutex<String>("")

    init(registry: PrometheusCollectorRegistry, check: @escaping @Sendable () async -> OperationsServer.Health) {
        self.registry = registry
        self.check = check
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path.withLock { $0 = head.uri.split(separator: "?").first.map(String.init) ?? head.uri }
        case .body: break
        case .end:
            let context = NIOLoopBound(context, eventLoop: context.eventLoop)
            switch path.withLock({ $0 }) {
            case "/metrics":
                respond(context.value, status: .ok, type: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
            case "/healthz":
                let promise = context.value.eventLoop.makePromise(of: OperationsServer.Health.self)
                promise.completeWithTask { [check] in await check() }
                promise.futureResult.whenSuccess { [self] health in
                    respond(context.value, status: health.healthy ? .ok : .serviceUnavailable, type: "text/plain; charset=utf-8",
                            body: Array(((health.healthy ? ["ok"] : ["unhealthy"]) + health.lines).joined(separator: "\n").utf8) + [0x0A])
                }
            default:
                respond(context.value, status: .notFound, type: "text/plain; charset=utf-8", body: Array("try /healthz or /metrics\n".utf8))
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, type: String, body: [UInt8]) {
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "Content-Type", value: type)
        head.headers.add(name: "Content-Length", value: "\(body.count)")
        head.headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The process's metrics registry, bootstrapped once so every swift-metrics counter lands in it.
enum MetricsSetup {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// The health of the parts in this process, judged from the bus: the proxy answers this
/// process's own probe, and every service here has been heard (its heartbeat crossed the bus)
/// within three heartbeat intervals.
final class BusHealth: Sendable {
    let endpoints: BusEndpoints
    let context: ZMQContext
    let services: [String]
    let interval: Duration
    private let heard = HeartbeatTimes()
    /// Connected on the first check that finds the proxy; until then the bus is reported unreachable.
    private let connection = Mutex<BusConnection?>(nil)

    init(endpoints: BusEndpoints, context: ZMQContext, services: [String], heartbeatInterval: Duration) {
        self.endpoints = endpoints
        self.context = context
        self.services = services
        interval = heartbeatInterval
    }

    private func connected() async -> BusConnection? {
        if let connection = connection.withLock({ $0 }) { return connection }
        var configuration = BusConnection.Configuration(endpoints: endpoints)
        configuration.readyTimeout = .seconds(2)
        configuration.logger = Logger(label: "concord.operations")
        guard let fresh = try? await BusConnection.connect(configuration, context: context) else { return nil }
        fresh.subscribe(Heartbeat.type)
        let heard = heard
        Task {
            for await message in fresh.messages {
                guard let beat = try? EnvelopeCodec.decode(message.payload).decodeData(Heartbeat.self) else { continue }
                heard.times.withLock { $0[beat.source] = .now }
            }
        }
        let kept = connection.withLock { current in
            if current == nil { current = fresh }
            return current!
        }
        if kept !== fresh { await fresh.close() }
        return kept
    }

    func check() async -> OperationsServer.Health {
        var lines: [String] = []
        let bus = await connected()
        let answers = await bus?.ping() ?? false
        lines.append("bus: \(answers ? "answers" : "no answer from the proxy at \(endpoints.publish)")")
        var healthy = answers
        let seen = heard.times.withLock { $0 }
        for service in services {
            let last = seen["concord/\(service)"]
            let fresh = last.map { ContinuousClock.now - $0 < interval * 3 } ?? false
            healthy = healthy && fresh
            lines.append("\(service): \(fresh ? "heard" : "not heard within \(interval * 3)")")
        }
        return OperationsServer.Health(healthy: healthy, lines: lines)
    }

    func stop() async {
        guard let bus = connection.withLock({ $0 }) else { return }
        bus.finishReceiving()
        await bus.close()
    }
}

/// When each source's heartbeat was last heard.
final class HeartbeatTimes: Sendable {
    let times = Mutex<[String: ContinuousClock.Instant]>([:])
}
