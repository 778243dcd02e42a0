import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix

/// The console as a program meets it: sign-in and GETs over HTTP/1.1, and the live WebSocket.
/// What `concord bench console` and the tests use; browsers do the same.
public struct ConsoleClient: Sendable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: String

        /// The session cookie's value, from `Set-Cookie`.
        public var sessionCookie: String? {
            headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("\(Replies.cookieName)=") }
                .map { String($0.1.dropFirst(Replies.cookieName.count + 1).prefix { $0 != ";" }) }
        }
    }

    /// Signs a partner in with its token; returns the session cookie's value.
    public func signIn(partner: String, token: String) async throws -> String {
        let body = String(decoding: try JSONEncoder().encode(["partner": partner, "token": token]), as: UTF8.self)
        let reply = try await send("POST", "/api/session", body: body)
        guard reply.status == 200, let cookie = reply.sessionCookie else {
            throw ConsoleError(.unauthorized, "sign-in as \(partner) refused: \(reply.status) \(reply.body)")
        }
        return cookie
    }

    /// `GET path` with the session cookie.
    public func get(_ path: String, cookie: String) async throws -> Reply {
        try await send("GET", path, cookie: cookie)
    }

    /// One request on its own connection (`Connection: close`), read to the end.
    public func send(_ method: String, _ path: String, body: String? = nil, cookie: String? = nil) async throws -> Reply {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if let cookie { request += "Cookie: \(Replies.cookieName)=\(cookie)\r\n" }
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let bytes = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ByteBuffer()
            for try await chunk in inbound { received.writeImmutableBuffer(chunk) }
            return received
        }
        return Self.parse(String(buffer: bytes))
    }

    static func parse(_ text: String) -> Reply {
        let (head, body) = text.range(of: "\r\n\r\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
        let lines = head.components(separatedBy: "\r\n")
        let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Reply(status: status, headers: headers, body: body)
    }

    /// Opens the live WebSocket with the session cookie and hands every text message to
    /// `received` until the console closes it or the task is cancelled.
    public func live(cookie: String, logger: Logger, received: @escaping @Sendable (String) -> Void) async throws {
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders = [.cookie: "\(Replies.cookieName)=\(cookie)"]
        try await WebSocketClient.connect(url: "ws://\(host):\(port)/api/live", configuration: configuration, logger: logger) { inbound, _, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message { received(text) }
            }
        }
    }
}
