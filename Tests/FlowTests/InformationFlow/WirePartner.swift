import Foundation
import NATSProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A partner's NATS connection to the gateway over real TCP that keeps every byte the gateway
/// sends it, to be scanned for canaries. It speaks the protocol by hand (CONNECT, SUB with or
/// without a queue group, PUB with a reply inbox) so nothing is filtered before the scan.
final class WirePartner: Sendable {
    struct Received: Sendable {
        /// Everything the gateway wrote on this connection, in order.
        var bytes: [UInt8] = []
        /// Reply subjects that have been answered.
        var answered: Set<String> = []
        var errors: [String] = []
        var pongs = 0
        /// MSG and HMSG received.
        var deliveries = 0
        var closed = false
    }

    let partner: String
    private let channel: any Channel
    private let handler: WireHandler
    private let requests = Atomic<Int>(0)

    private init(partner: String, channel: any Channel, handler: WireHandler) {
        self.partner = partner
        self.channel = channel
        self.handler = handler
    }

    /// Connects with a token and returns once the gateway has answered a PING (signed in).
    static func connect(port: Int, partner: String, token: String) async throws -> WirePartner {
        let handler = WireHandler()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let wire = WirePartner(partner: partner, channel: channel, handler: handler)
        wire.write(#"CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1,"#
            + #""lang":"wire","version":"0","auth_token":"\#(token)"}"# + "\r\n")
        try await wire.flush()
        return wire
    }

    private func write(_ text: String) { write(Array(text.utf8)) }

    private func write(_ bytes: [UInt8]) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    /// PING and wait for its PONG: the gateway has read everything sent before.
    func flush() async throws {
        let before = handler.received.withLock { $0.pongs }
        write("PING\r\n")
        guard try await Self.wait(for: { handler.received.withLock { $0.pongs > before || $0.closed } }),
              !handler.received.withLock(\.closed) else {
            throw Failure("\(partner): no PONG from the gateway (\(handler.received.withLock(\.errors)))")
        }
    }

    func subscribe(_ subject: String, queue: String? = nil, sid: Int) {
        write("SUB \(subject)\(queue.map { " \($0)" } ?? "") \(sid)\r\n")
    }

    /// Publishes with a reply inbox and waits for the answer, a new error (a refused publish),
    /// or the gateway's request timeout to pass.
    func request(_ subject: String, payload: [UInt8]) async throws {
        let number = requests.add(1, ordering: .relaxed).newValue
        let inbox = "_INBOX.\(partner).\(number)"
        let errors = handler.received.withLock { $0.errors.count }
        write(Array("PUB \(subject) \(inbox) \(payload.count)\r\n".utf8) + payload + Array("\r\n".utf8))
        _ = try await Self.wait(timeout: .seconds(15)) {
            handler.received.withLock { $0.answered.contains(inbox) || $0.errors.count > errors || $0.closed }
        }
    }

    /// Reads the partner's whole view of each stream through a JetStream pull consumer, as a
    /// partner resuming its feed would; returns how many stream messages came.
    func readFeeds(_ streams: [String]) async throws -> Int {
        let before = deliveries
        for stream in streams {
            let config = #"{"stream_name":"\#(stream)","config":{"durable_name":"canary","ack_policy":"none"}}"#
            try await request("$JS.API.CONSUMER.DURABLE.CREATE.\(stream).canary", payload: Array(config.utf8))
            let inbox = "_INBOX.\(partner).feed-\(stream)"
            let next = Array(#"{"batch":100000,"no_wait":true}"#.utf8)
            write(Array("PUB $JS.API.CONSUMER.MSG.NEXT.\(stream).canary \(inbox) \(next.count)\r\n".utf8) + next + Array("\r\n".utf8))
            // The pull ends with a status (404 nothing, 408 the rest of the batch): all has come.
            _ = try await Self.wait(timeout: .seconds(30)) { text.contains("HMSG \(inbox) ") || handler.received.withLock(\.closed) }
        }
        // Less the answers to the consumer creations and the closing statuses.
        return deliveries - before - 2 * streams.count
    }

    var deliveries: Int { handler.received.withLock(\.deliveries) }

    /// Everything received so far, as text.
    var text: String { String(decoding: handler.received.withLock(\.bytes), as: UTF8.self) }

    func close() async { try? await channel.close() }

    private static func wait(timeout: Duration = .seconds(10), for condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Keeps the gateway's bytes and notes answers, errors and PONGs; answers the gateway's PINGs.
private final class WireHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received = Mutex(WirePartner.Received())
    private let decoder = Mutex(ServerDecoder())

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        var operations: [ServerOperation] = []
        let failed = decoder.withLock { decoder in
            decoder.append(bytes)
            do {
                while let operation = try decoder.next() { operations.append(operation) }
                return false
            } catch {
                return true
            }
        }
        received.withLock { received in
            received.bytes += bytes
            for operation in operations {
                switch operation {
                case .msg(let subject, _, _, _, _):
                    received.deliveries += 1
                    if subject.hasPrefix("_INBOX.") { received.answered.insert(subject) }
                case .err(let text): received.errors.append(text)
                case .pong: received.pongs += 1
                default: break
                }
            }
            if failed { received.errors.append("unreadable bytes from the gateway") }
        }
        if operations.contains(.ping) {
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: "PONG\r\n")), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        received.withLock { $0.closed = true }
        context.fireChannelInactive()
    }
}
