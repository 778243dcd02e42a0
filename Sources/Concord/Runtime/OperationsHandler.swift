import NIOCore
import NIOHTTP1
import Prometheus
import Synchronization

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
