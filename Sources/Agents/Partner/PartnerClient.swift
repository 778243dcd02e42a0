import Foundation
import NATSProtocol
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A partner's client for the gateway: the NATS client protocol over TCP. What `concord sub`,
/// `pub` and `request` use; any stock NATS client does the same.
public final class PartnerClient: Sendable {
    /// How the partner proves who it is.
    public struct Credentials: Sendable, Decodable {
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
        public init(message: String) { self.message = message }
    }

    let channel: any Channel
    let state: ClientState
    private let inboxPrefix = "_INBOX.\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20))."

    private init(channel: any Channel, state: ClientState) {
        self.channel = channel
        self.state = state
    }

    /// TLS to the gateway (`tls://` URLs): 1.2 or later, the server's certificate checked
    /// against `caFile` (PEM) or the system's roots.
    public struct TLS: Sendable {
        public var caFile: String?
        public init(caFile: String? = nil) { self.caFile = caFile }
    }

    /// Connects, authenticates and returns once the gateway answered a PING. With `tls`, TLS
    /// starts after the gateway's plaintext INFO, as NATS does it, and CONNECT goes inside it.
    public static func connect(host: String, port: Int, credentials: Credentials, name: String = "concord-cli",
                               timeout: Duration = .seconds(5), tls: TLS? = nil) async throws -> PartnerClient {
        let state = ClientState()
        let sslContext = try tls.map { tls in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            if let caFile = tls.caFile { configuration.trustRoots = .file(caFile) }
            return try NIOSSLContext(configuration: configuration)
        }
        // SNI takes names only; an address is checked against the certificate's chain alone.
        let serverHostname = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ClientHandler(state: state, tls: sslContext.map { ($0, serverHostname) }))
                }
            }
            .connect(host: host, port: port).get()
        let client = PartnerClient(channel: channel, state: state)
        if sslContext != nil, !(await state.waitInfo(timeout: timeout)) {
            await client.close()
            throw Failure(message: state.lastError ?? "no INFO from the gateway, so TLS could not start")
        }
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
        subscribeWithID(subject, queue: queue).messages
    }

    /// Subscribes and returns the subscription's id, for `unsubscribe`.
    public func subscribeWithID(_ subject: String, queue: String? = nil) -> (id: String, messages: AsyncStream<Message>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(100_000))
        let sid = state.add(continuation)
        write(Array("SUB \(subject)\(queue.map { " \($0)" } ?? "") \(sid)\r\n".utf8))
        return (sid, stream)
    }

    /// Ends a subscription: the gateway stops sending and its stream finishes.
    public func unsubscribe(_ id: String) {
        guard state.remove(id) else { return }
        write(Array("UNSUB \(id)\r\n".utf8))
    }

    /// Returns when the connection has closed, whoever closed it.
    public func waitClosed() async {
        try? await channel.closeFuture.get()
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
