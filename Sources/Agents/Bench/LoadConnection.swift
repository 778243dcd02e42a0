import Foundation
import NATSProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A raw NATS connection for load: writes pre-built protocol bytes with TCP backpressure and
/// counts the messages it receives. The same client drives Concord's gateway and nats-server.
final class LoadConnection: Sendable {
    let channel: any Channel
    let counter: MessageCounter

    private init(channel: any Channel, counter: MessageCounter) {
        self.channel = channel
        self.counter = counter
    }

    /// Connects, sends CONNECT (with `token` when given) and waits for the PONG to its PING.
    static func open(port: Int, token: String?) async throws -> LoadConnection {
        let counter = MessageCounter()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(CountingHandler(counter: counter)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let connection = LoadConnection(channel: channel, counter: counter)
        let auth = token.map { #","auth_token":"\#($0)""# } ?? ""
        try await connection.write(Array(#"CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1\#(auth)}"#.utf8) + [0x0D, 0x0A])
        try await connection.ping()
        return connection
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// A PING/PONG round trip.
    func ping() async throws {
        let before = counter.pongs
        try await write(ServerEncoder.ping)
        let deadline = ContinuousClock.now + .seconds(10)
        while counter.pongs == before {
            guard ContinuousClock.now < deadline else { throw LoadError("no PONG from port \(channel.remoteAddress?.port ?? 0)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func close() async { try? await channel.close() }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Counts what a `LoadConnection` receives; answers requests when asked to.
final class MessageCounter: Sendable {
    private let messages = Atomic<Int>(0)
    private let pongCount = Atomic<Int>(0)
    /// When set, every message with a reply subject is answered with this payload (a responder).
    let replyPayload = Mutex<[UInt8]?>(nil)

    var count: Int { messages.load(ordering: .relaxed) }
    var pongs: Int { pongCount.load(ordering: .relaxed) }
    func received() { messages.add(1, ordering: .relaxed) }
    func pong() { pongCount.add(1, ordering: .relaxed) }
}

final class CountingHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the decoder is used on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    private var decoder = ServerDecoder()
    private let counter: MessageCounter

    init(counter: MessageCounter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decoder.append(unwrapInboundIn(data).readableBytesView)
        var replies: [UInt8] = []
        while let operation = try? decoder.next() {
            switch operation {
            case .msg(_, _, let replyTo, _, _):
                counter.received()
                if let replyTo, let payload = counter.replyPayload.withLock({ $0 }) {
                    replies += Array("PUB \(replyTo) \(payload.count)\r\n".utf8) + payload + [0x0D, 0x0A]
                }
            case .pong: counter.pong()
            case .ping: replies += ServerEncoder.pong
            default: break
            }
        }
        if !replies.isEmpty { context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: replies)), promise: nil) }
    }
}
