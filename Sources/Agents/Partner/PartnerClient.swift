import Foundation
import NATSProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A partner's client for the gateway: the NATS client protocol over TCP. What `concord sub`,
/// `pub` and `request` use; any stock NATS client does the same.
public final class PartnerClient: Sendable {
    /// How the partner proves who it is.
    public struct Credentials: Sendable {
        public var token: String?
        public var user: String?
        public var password: String?
        public init(token: String? = nil, user: String? = nil, password: String? = nil) {
            self.token = token
            self.user = user
            self.password = password
        }
    }

    /// A message the gateway delivered.
    public struct Message: Sendable {
        public let subject: String
        public let replyTo: String?
        public let headers: [UInt8]?
        public let payload: [UInt8]
        /// The HMSG status, e.g. `503` for no responders.
        public var status: String? {
            guard let headers else { return nil }
            let first = String(decoding: headers.prefix(while: { $0 != 0x0D }), as: UTF8.self)
            let parts = first.split(separator: " ")
            return parts.count > 1 ? String(parts[1]) : nil
        }
    }

    /// A refusal or failure the gateway reported.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    let channel: any Channel
    let state: ClientState
    private let inboxPrefix = "_INBOX.\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20))."

    private init(channel: any Channel, state: ClientState) {
        self.channel = channel
        self.state = state
    }

    /// Connects, authenticates and returns once the gateway answered a PING.
    public static func connect(host: String, port: Int, credentials: Credentials, name: String = "concord-cli",
                               timeout: Duration = .seconds(5)) async throws -> PartnerClient {
        let state = ClientState()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ClientHandler(state: state)) }
            }
            .connect(host: host, port: port).get()
        let client = PartnerClient(channel: channel, state: state)
        var options = ConnectOptions()
        options.verbose = false
        options.pedantic = false
        options.headers = true
        options.noResponders = true
        options.protocol = 1
        options.lang = "swift"
        options.version = "0.1.0"
        options.name = name
        options.authToken = credentials.token
        options.user = credentials.user
        options.pass = credentials.password
        let json = try JSONEncoder().encode(options)
        client.write(Array("CONNECT ".utf8) + Array(json) + Array("\r\n".utf8))
        do {
            try await client.flush(timeout: timeout)
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    private func write(_ bytes: [UInt8]) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    /// Round trip PING/PONG: everything sent before has been processed by the gateway.
    public func flush(timeout: Duration = .seconds(5)) async throws {
        let key = state.expectPong()
        write(ServerEncoder.ping)
        try await state.waitPong(key, timeout: timeout)
    }

    /// Subscribes; messages arrive on the returned stream until `close`.
    public func subscribe(_ subject: String, queue: String? = nil) -> AsyncStream<Message> {
        let (stream, bytes) = subscription(subject, queue: queue)
        write(bytes)
        return stream
    }

    private func subscription(_ subject: String, queue: String?) -> (AsyncStream<Message>, [UInt8]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(100_000))
        let sid = state.add(continuation)
        return (stream, Array("SUB \(subject)\(queue.map { " \($0)" } ?? "") \(sid)\r\n".utf8))
    }

    /// Publishes; with `headers` as HPUB.
    public func publish(_ subject: String, payload: [UInt8], headers: [(String, String)] = [], replyTo: String? = nil) {
        write(publication(subject, payload: payload, headers: headers, replyTo: replyTo))
    }

    private func publication(_ subject: String, payload: [UInt8], headers: [(String, String)], replyTo: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        let reply = replyTo.map { " \($0)" } ?? ""
        if headers.isEmpty {
            bytes += Array("PUB \(subject)\(reply) \(payload.count)\r\n".utf8)
            bytes += payload
        } else {
            let block = ServerEncoder.headers(headers)
            bytes += Array("HPUB \(subject)\(reply) \(block.count) \(block.count + payload.count)\r\n".utf8)
            bytes += block + payload
        }
        bytes += [0x0D, 0x0A]
        return bytes
    }

    /// Sends a request and waits for its one answer.
    public func request(_ subject: String, payload: [UInt8], headers: [(String, String)] = [],
                        timeout: Duration = .seconds(10)) async throws -> Message {
        let inbox = inboxPrefix + String(state.nextRequest())
        // One muxed inbox subscription for every request, as stock clients do; the first request
        // sends its SUB together with the PUB, in one write.
        let (answers, muxSubscription) = state.expectReply(inbox, muxSubject: inboxPrefix + "*")
        write((muxSubscription ?? []) + publication(subject, payload: payload, headers: headers, replyTo: inbox))
        return try await withThrowingTaskGroup(of: Message?.self) { group in
            group.addTask {
                var iterator = answers.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer {
                group.cancelAll()
                state.forgetReply(inbox)
            }
            guard let answer = try await group.next() ?? nil else {
                throw Failure(message: state.lastError ?? "no answer to \(subject) within \(timeout)")
            }
            if answer.status == "503" { throw Failure(message: "no responders: no service answers \(subject) right now") }
            return answer
        }
    }

    /// The last `-ERR` the gateway sent, if any.
    public var lastError: String? { state.lastError }

    /// Closes the connection and ends every subscription stream.
    public func close() async {
        try? await channel.close()
        state.finishAll()
    }

    /// Streams end when the gateway closes the connection; this says why, if it said.
    public var closedReason: String? { state.lastError }
}

/// What the client's handler and its callers share.
final class ClientState: Sendable {
    private struct Inner {
        var subscriptions: [String: AsyncStream<PartnerClient.Message>.Continuation] = [:]
        /// Requests waiting for their answer on the muxed inbox, by reply subject.
        var replies: [String: AsyncStream<PartnerClient.Message>.Continuation] = [:]
        var muxSid: String?
        var pongs: [Int: CheckedContinuation<Void, any Error>] = [:]
        var expected: [Int] = []
        var nextPong = 0
        var nextSid = 0
        var nextRequest = 0
        var lastError: String?
    }

    private let inner = Mutex(Inner())

    var lastError: String? { inner.withLock { $0.lastError } }

    func add(_ continuation: AsyncStream<PartnerClient.Message>.Continuation) -> String {
        inner.withLock { inner in
            inner.nextSid += 1
            inner.subscriptions[String(inner.nextSid)] = continuation
            return String(inner.nextSid)
        }
    }

    /// Registers a request's reply subject; returns its stream, and the SUB bytes of the muxed
    /// inbox the first time.
    func expectReply(_ subject: String, muxSubject: String) -> (AsyncStream<PartnerClient.Message>, [UInt8]?) {
        let (stream, continuation) = AsyncStream.makeStream(of: PartnerClient.Message.self, bufferingPolicy: .bufferingNewest(1))
        let sub: [UInt8]? = inner.withLock { inner in
            inner.replies[subject] = continuation
            guard inner.muxSid == nil else { return nil }
            inner.nextSid += 1
            inner.muxSid = String(inner.nextSid)
            return Array("SUB \(muxSubject) \(inner.nextSid)\r\n".utf8)
        }
        return (stream, sub)
    }

    func forgetReply(_ subject: String) { inner.withLock { _ = $0.replies.removeValue(forKey: subject) } }

    func nextRequest() -> Int { inner.withLock { $0.nextRequest += 1; return $0.nextRequest } }

    func deliver(_ sid: String, _ message: PartnerClient.Message) {
        let target = inner.withLock { inner in
            sid == inner.muxSid ? inner.replies.removeValue(forKey: message.subject) : inner.subscriptions[sid]
        }
        target?.yield(message)
    }

    func expectPong() -> Int {
        inner.withLock { inner in
            inner.nextPong += 1
            inner.expected.append(inner.nextPong)
            return inner.nextPong
        }
    }

    func waitPong(_ key: Int, timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    let failed: String?? = self.inner.withLock { inner in
                        guard inner.expected.contains(key) else { return .some(inner.lastError) }
                        inner.pongs[key] = continuation
                        return .none
                    }
                    if let failed {
                        if let failed { continuation.resume(throwing: PartnerClient.Failure(message: failed)) } else { continuation.resume() }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PartnerClient.Failure(message: self.lastError ?? "the gateway did not answer within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
            self.fail(key)
        }
    }

    private func fail(_ key: Int) {
        let waiter = inner.withLock { inner -> CheckedContinuation<Void, any Error>? in
            inner.expected.removeAll { $0 == key }
            return inner.pongs.removeValue(forKey: key)
        }
        waiter?.resume(throwing: PartnerClient.Failure(message: lastError ?? "timed out"))
    }

    func pong() {
        let waiter = inner.withLock { inner -> CheckedContinuation<Void, any Error>? in
            guard !inner.expected.isEmpty else { return nil }
            let key = inner.expected.removeFirst()
            return inner.pongs.removeValue(forKey: key)
        }
        waiter?.resume()
    }

    func error(_ text: String) { inner.withLock { $0.lastError = text } }

    func finishAll() {
        let (streams, waiters, reason) = inner.withLock { inner in
            defer {
                inner.subscriptions.removeAll(); inner.replies.removeAll()
                inner.pongs.removeAll(); inner.expected.removeAll()
            }
            return (Array(inner.subscriptions.values) + Array(inner.replies.values), Array(inner.pongs.values),
                    inner.lastError ?? "connection closed")
        }
        streams.forEach { $0.finish() }
        waiters.forEach { $0.resume(throwing: PartnerClient.Failure(message: reason)) }
    }
}

/// Decodes what the gateway sends and hands it to `ClientState`.
final class ClientHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the decoder is used on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    private var decoder = ServerDecoder()
    private let state: ClientState

    init(state: ClientState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decoder.append(unwrapInboundIn(data).readableBytesView)
        do {
            while let operation = try decoder.next() {
                switch operation {
                case .ping: context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: ServerEncoder.pong)), promise: nil)
                case .pong: state.pong()
                case .err(let text): state.error(text)
                case .msg(let subject, let sid, let replyTo, let headers, let payload):
                    state.deliver(sid, .init(subject: subject, replyTo: replyTo, headers: headers, payload: payload))
                case .info, .ok: break
                }
            }
        } catch {
            state.error("unreadable data from the gateway: \(error)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.finishAll()
        context.fireChannelInactive()
    }
}
