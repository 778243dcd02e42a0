import Foundation

/// What the server sends, as bytes: INFO, MSG, HMSG, PING, PONG, +OK and -ERR.
public enum ServerEncoder {
    public static let ping: [UInt8] = Array("PING\r\n".utf8)
    public static let pong: [UInt8] = Array("PONG\r\n".utf8)
    public static let ok: [UInt8] = Array("+OK\r\n".utf8)

    /// `-ERR '<text>'`.
    public static func error(_ text: String) -> [UInt8] { Array("-ERR '\(text)'\r\n".utf8) }

    /// `INFO {json}`.
    public static func info(_ info: ServerInfo) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(info)) ?? Data("{}".utf8)
        return Array("INFO ".utf8) + Array(json) + Array("\r\n".utf8)
    }

    /// Appends `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n`.
    public static func message(into out: inout [UInt8], subject: String, sid: String, replyTo: String?, payload: [UInt8]) {
        out.append(contentsOf: Array("MSG ".utf8))
        out.append(contentsOf: subject.utf8)
        out.append(0x20)
        out.append(contentsOf: sid.utf8)
        if let replyTo { out.append(0x20); out.append(contentsOf: replyTo.utf8) }
        out.append(0x20)
        out.append(contentsOf: String(payload.count).utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        out.append(contentsOf: payload)
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// Appends `HMSG <subject> <sid> [reply] <header size> <total size>\r\n<headers><payload>\r\n`.
    public static func headerMessage(into out: inout [UInt8], subject: String, sid: String, replyTo: String?,
                                     headers: [UInt8], payload: [UInt8]) {
        out.append(contentsOf: Array("HMSG ".utf8))
        out.append(contentsOf: subject.utf8)
        out.append(0x20)
        out.append(contentsOf: sid.utf8)
        if let replyTo { out.append(0x20); out.append(contentsOf: replyTo.utf8) }
        out.append(contentsOf: Array(" \(headers.count) \(headers.count + payload.count)\r\n".utf8))
        out.append(contentsOf: headers)
        out.append(contentsOf: payload)
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// A header block: `NATS/1.0[ status description]\r\n` then `Key: value\r\n` lines and a blank line.
    public static func headers(status: String? = nil, _ fields: [(String, String)] = []) -> [UInt8] {
        var text = "NATS/1.0" + (status.map { " " + $0 } ?? "") + "\r\n"
        for (key, value) in fields { text += "\(key): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }
}

/// The `INFO` a server sends first.
public struct ServerInfo: Sendable, Codable, Equatable {
    public var serverID: String
    public var serverName: String
    public var version: String
    public var proto: Int = 1
    public var go = "swift"
    public var host: String
    public var port: Int
    public var headers = true
    public var maxPayload: Int
    public var authRequired = true
    public var tlsRequired: Bool
    public var nonce: String
    public var clientID: UInt64
    public var clientIP: String?

    enum CodingKeys: String, CodingKey {
        case version, proto, go, host, port, headers, nonce
        case serverID = "server_id"
        case serverName = "server_name"
        case maxPayload = "max_payload"
        case authRequired = "auth_required"
        case tlsRequired = "tls_required"
        case clientID = "client_id"
        case clientIP = "client_ip"
    }

    public init(serverID: String, serverName: String, version: String, host: String, port: Int, maxPayload: Int,
                tlsRequired: Bool, nonce: String, clientID: UInt64, clientIP: String?) {
        self.serverID = serverID
        self.serverName = serverName
        self.version = version
        self.host = host
        self.port = port
        self.maxPayload = maxPayload
        self.tlsRequired = tlsRequired
        self.nonce = nonce
        self.clientID = clientID
        self.clientIP = clientIP
    }
}

/// Header blocks a client sent with HPUB: `NATS/1.0` then `Key: value` lines.
public enum HeaderBlock {
    /// The fields of a header block, or nil when it is not one.
    public static func parse(_ bytes: [UInt8]) -> [(String, String)]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard let first = lines.first, first.hasPrefix("NATS/1.0") else { return nil }
        lines.removeFirst()
        var fields: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            fields.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                           String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return fields
    }
}
