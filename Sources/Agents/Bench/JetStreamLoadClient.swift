import Foundation
import NATSProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A JetStream client for load: asks the API and waits for its answers, counts the stream
/// messages it receives and acknowledges each at once (`+ACK`, written with the next read's
/// other acks). The same client drives Concord's gateway and nats-server.
final class JetStreamLoadClient: Sendable {
    private let channel: any Channel
    private let state: JetStreamLoadState
    private let requests = Atomic<Int>(0)

    private init(channel: any Channel, state: JetStreamLoadState) {
        self.channel = channel
        self.state = state
    }

    static func open(port: Int, token: String?) async throws -> JetStreamLoadClient {
        let state = JetStreamLoadState()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(JetStreamLoadHandler(state: state)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let client = JetStreamLoadClient(channel: channel, state: state)
        let auth = token.map { #","auth_token":"\#($0)""# } ?? ""
        try await client.write(Array(#"CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1\#(auth)}"#.utf8) + [0x0D, 0x0A]
                               + Array("SUB _INBOX.bench.> 1\r\n".utf8))
        _ = try await client.request("$JS.API.INFO", [])
        return client
    }

    /// Stream messages received (and acknowledged) so far.
    var received: Int { state.messages.load(ordering: .relaxed) }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    func publish(_ subject: String, replyTo: String? = nil, _ payload: [UInt8]) -> [UInt8] {
        Array("PUB \(subject)\(replyTo.map { " " + $0 } ?? "") \(payload.count)\r\n".utf8) + payload + [0x0D, 0x0A]
    }

    /// An API request and its JSON answer.
    func request(_ subject: String, _ payload: [UInt8], timeout: Duration = .seconds(10)) async throws -> [String: Any] {
        let inbox = "_INBOX.bench.\(requests.add(1, ordering: .relaxed).newValue)"
        state.answers.withLock { $0[inbox] = nil }
        try await write(publish(subject, replyTo: inbox, payload))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let answer = state.answers.withLock({ $0.removeValue(forKey: inbox) }) {
                guard let object = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] else {
                    throw BenchFailure("\(subject): the answer is not a JSON object")
                }
                if let error = object["error"] as? [String: Any] { throw BenchFailure("\(subject): \(error)") }
                return object
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchFailure("\(subject): no answer within \(timeout)")
    }

    /// Listens on a push consumer's deliver subject.
    func subscribe(_ subject: String) async throws { try await write(Array("SUB \(subject) 2\r\n".utf8)) }

    /// Messages of `stream` the receiver's view holds.
    func messages(in stream: String) async throws -> Int {
        let info = try await request("$JS.API.STREAM.INFO.\(stream)", [])
        return ((info["state"] as? [String: Any])?["messages"] as? Int) ?? 0
    }

    func close() async { try? await channel.close() }
}

final class JetStreamLoadState: Sendable {
    let messages = Atomic<Int>(0)
    let answers = Mutex<[String: [UInt8]]>([:])
}

final class JetStreamLoadHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the decoder is used on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    private var decoder = ServerDecoder()
    private let state: JetStreamLoadState
    private static let ack = Array("+ACK".utf8)

    init(state: JetStreamLoadState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decoder.append(unwrapInboundIn(data).readableBytesView)
        var acks: [UInt8] = []
        while let operation = try? decoder.next() {
            switch operation {
            case .msg(let subject, _, let replyTo, let headers, let payload):
                if let replyTo, replyTo.hasPrefix("$JS.ACK.") {
                    state.messages.add(1, ordering: .relaxed)
                    acks += Array("PUB \(replyTo) 4\r\n".utf8) + Self.ack + [0x0D, 0x0A]
                } else if headers == nil, subject.hasPrefix("_INBOX.bench.") {
                    state.answers.withLock { $0[subject] = payload }
                }
            case .ping: acks += ServerEncoder.pong
            default: break
            }
        }
        if !acks.isEmpty { context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: acks)), promise: nil) }
    }
}
