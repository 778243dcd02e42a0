import Foundation

/// One operation a NATS server sends, as a client reads it.
public enum ServerOperation: Sendable, Equatable {
    case info([UInt8])
    case msg(subject: String, sid: String, replyTo: String?, headers: [UInt8]?, payload: [UInt8])
    case ping, pong, ok
    case err(String)
}

/// The client side's decoder: a pure state machine over bytes like `ClientDecoder`.
public struct ServerDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var pending: (subject: String, sid: String, replyTo: String?, headerSize: Int?, total: Int)?
    public let maxPayload: Int

    public init(maxPayload: Int = 64 << 20) { self.maxPayload = maxPayload }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete operation, nil when more bytes are needed.
    public mutating func next() throws(NATSProtocolError) -> ServerOperation? {
        if let message = pending {
            guard buffer.count - start >= message.total + 2 else { return nil }
            let body = Array(buffer[start..<start + message.total])
            start += message.total + 2
            pending = nil
            let headers = message.headerSize.map { Array(body[..<$0]) }
            let payload = Array(body[(message.headerSize ?? 0)...])
            return .msg(subject: message.subject, sid: message.sid, replyTo: message.replyTo, headers: headers, payload: payload)
        }
        guard let newline = buffer[start...].firstIndex(of: 0x0A) else { return nil }
        let end = newline > start && buffer[newline - 1] == 0x0D ? newline - 1 : newline
        let line = String(decoding: buffer[start..<end], as: UTF8.self)
        start = newline + 1
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch parts.first?.uppercased() {
        case "PING": return .ping
        case "PONG": return .pong
        case "+OK": return .ok
        case "-ERR":
            let text = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
            return .err(text.trimmingCharacters(in: CharacterSet(charactersIn: "'")))
        case "INFO": return .info(Array(line.dropFirst(5).utf8))
        case "MSG", "HMSG":
            let headers = parts[0].uppercased() == "HMSG"
            let sizes = headers ? 2 : 1
            guard parts.count == 3 + sizes || parts.count == 4 + sizes,
                  let total = Int(parts.last!), total <= maxPayload else {
                throw NATSProtocolError(.badArguments, "malformed \(parts[0]) line")
            }
            let headerSize = headers ? Int(parts[parts.count - 2]) : nil
            pending = (parts[1], parts[2], parts.count == 4 + sizes ? parts[3] : nil, headerSize, total)
            return try next()
        default:
            throw NATSProtocolError(.unknownOperation, "unexpected server line")
        }
    }
}
