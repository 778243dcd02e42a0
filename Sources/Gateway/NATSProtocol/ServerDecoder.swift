import Foundation

/// One operation a NATS server sends, as a client reads it.
public enum ServerOperation: Sendable, Equatable {
    case info([UInt8])
    case msg(subject: String, sid: String, replyTo: String?, headers: [UInt8]?, payload: [UInt8])
    case ping, pong, ok
    case err(String)
}

/// The client side's decoder: a pure state machine over bytes like `ClientDecoder`, with limits:
/// a control line longer than `maxControlLine`, a size that is negative, not a number or over
/// `maxPayload`, a header size beyond the message, or a payload not followed by CRLF is refused
/// with an error, never sliced. After it throws, it stays failed: the connection is to be closed.
public struct ServerDecoder: Sendable {
    private struct Pending: Sendable {
        var subject: String
        var sid: String
        var replyTo: String?
        var headerSize: Int?
        var total: Int
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var pending: Pending?
    private var failure: NATSProtocolError?
    public let maxPayload: Int
    public let maxControlLine: Int

    public init(maxPayload: Int = 64 << 20, maxControlLine: Int = 4_096) {
        self.maxPayload = maxPayload
        self.maxControlLine = maxControlLine
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete operation, nil when more bytes are needed.
    public mutating func next() throws(NATSProtocolError) -> ServerOperation? {
        if let failure { throw failure }
        if let message = pending {
            guard buffer.count - start >= message.total + 2 else { return nil }
            let end = start + message.total
            guard buffer[end] == 0x0D, buffer[end + 1] == 0x0A else {
                return try fail(.unknownOperation, "a message payload is not followed by CRLF")
            }
            let split = start + (message.headerSize ?? 0)
            let headers = message.headerSize.map { _ in Array(buffer[start..<split]) }
            let payload = Array(buffer[split..<end])
            start = end + 2
            pending = nil
            return .msg(subject: message.subject, sid: message.sid, replyTo: message.replyTo, headers: headers, payload: payload)
        }
        guard let newline = buffer[start...].firstIndex(of: 0x0A) else {
            if buffer.count - start > maxControlLine { return try fail(.maxControlLine, "a server line is longer than \(maxControlLine) bytes") }
            return nil
        }
        guard newline - start <= maxControlLine else { return try fail(.maxControlLine, "a server line is longer than \(maxControlLine) bytes") }
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
        case "MSG": return try message(parts, headers: false)
        case "HMSG": return try message(parts, headers: true)
        default:
            return try fail(.unknownOperation, "unexpected server line")
        }
    }

    /// `MSG <subject> <sid> [reply] <size>` or `HMSG <subject> <sid> [reply] <header size> <total size>`.
    private mutating func message(_ parts: [String], headers: Bool) throws(NATSProtocolError) -> ServerOperation? {
        let sizes = headers ? 2 : 1
        guard parts.count == 3 + sizes || parts.count == 4 + sizes else {
            return try fail(.badArguments, "\(parts[0]) takes a subject, a sid, an optional reply and \(sizes) size(s)")
        }
        guard let total = Self.size(parts[parts.count - 1]), total <= maxPayload else {
            return try fail(.maxPayload, "\(parts[0]) size '\(parts[parts.count - 1])' is not a size up to \(maxPayload)")
        }
        var headerSize: Int?
        if headers {
            guard let size = Self.size(parts[parts.count - 2]), size <= total else {
                return try fail(.badArguments, "HMSG header size '\(parts[parts.count - 2])' is not a size up to the total \(total)")
            }
            headerSize = size
        }
        pending = Pending(subject: parts[1], sid: parts[2], replyTo: parts.count == 4 + sizes ? parts[3] : nil,
                          headerSize: headerSize, total: total)
        return try next()
    }

    /// A size field: decimal digits only, so no sign, no overflow, no blanks.
    private static func size(_ field: String) -> Int? {
        guard !field.isEmpty, field.count <= 18, field.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(field)
    }

    private mutating func fail(_ code: NATSProtocolError.Code, _ detail: String) throws(NATSProtocolError) -> ServerOperation? {
        let error = NATSProtocolError(code, detail)
        failure = error
        throw error
    }
}
