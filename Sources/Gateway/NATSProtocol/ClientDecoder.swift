import Foundation

/// Turns the bytes a NATS client sends into operations: a pure state machine over bytes, no
/// I/O, no clocks. Feed it with `append`, then call `next()` until it returns nil. It accepts
/// what stock clients send: operations in any case, spaces and tabs as separators (doubled or
/// trailing), CRLF or a bare LF. After it throws, the connection is to be closed.
public struct ClientDecoder: Sendable {
    /// Limits a connection is held to.
    public struct Limits: Sendable {
        /// Longest control line (operation and arguments), as nats-server's `max_control_line`.
        public var maxControlLine: Int
        /// Largest payload (headers included), as nats-server's `max_payload`.
        public var maxPayload: Int

        public init(maxControlLine: Int = 4_096, maxPayload: Int = 1 << 20) {
            self.maxControlLine = maxControlLine
            self.maxPayload = maxPayload
        }
    }

    private enum State: Sendable {
        case controlLine
        /// Waiting for `total + 2` bytes of payload and CRLF for a PUB or HPUB.
        case payload(subject: String, replyTo: String?, headerSize: Int?, total: Int)
        case failed(NATSProtocolError)
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0
    private var state = State.controlLine
    /// How far the current control line has been searched for its end, so bytes are scanned once.
    private var scanned = 0

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete operation, nil when more bytes are needed.
    public mutating func next() throws(NATSProtocolError) -> ClientOperation? {
        switch state {
        case .failed(let error):
            throw error
        case .payload(let subject, let replyTo, let headerSize, let total):
            guard buffer.count - start >= total + 2 else { return nil }
            let end = start + total
            guard buffer[end] == 0x0D, buffer[end + 1] == 0x0A else {
                return try fail(.unknownOperation, "payload is not followed by CRLF")
            }
            let body = Array(buffer[start..<end])
            start = end + 2
            scanned = start
            state = .controlLine
            if let headerSize {
                return .hpub(subject: subject, replyTo: replyTo, headers: Array(body[..<headerSize]), payload: Array(body[headerSize...]))
            }
            return .pub(subject: subject, replyTo: replyTo, payload: body)
        case .controlLine:
            guard let newline = findNewline() else {
                if buffer.count - start > limits.maxControlLine {
                    return try fail(.maxControlLine, "control line longer than \(limits.maxControlLine) bytes")
                }
                return nil
            }
            var lineEnd = newline
            if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            guard lineEnd - start <= limits.maxControlLine else {
                return try fail(.maxControlLine, "control line longer than \(limits.maxControlLine) bytes")
            }
            let line = Array(buffer[start..<lineEnd])
            start = newline + 1
            scanned = start
            return try parse(line)
        }
    }

    private mutating func findNewline() -> Int? {
        var index = max(scanned, start)
        while index < buffer.count {
            if buffer[index] == 0x0A { return index }
            index += 1
        }
        scanned = index
        return nil
    }

    private mutating func fail(_ code: NATSProtocolError.Code, _ detail: String) throws(NATSProtocolError) -> ClientOperation? {
        let error = NATSProtocolError(code, detail)
        state = .failed(error)
        throw error
    }

    private mutating func parse(_ line: [UInt8]) throws(NATSProtocolError) -> ClientOperation? {
        let (name, rest) = Self.splitOperation(line)
        switch name {
        case "PING": return rest.isEmpty ? .ping : try fail(.unknownOperation, "PING takes no arguments")
        case "PONG": return rest.isEmpty ? .pong : try fail(.unknownOperation, "PONG takes no arguments")
        case "CONNECT":
            guard let options = try? JSONDecoder().decode(ConnectOptions.self, from: Data(rest)) else {
                return try fail(.invalidConnect, "CONNECT arguments are not a JSON object of connect options")
            }
            return .connect(options)
        case "PUB", "HPUB":
            return try parsePublish(Self.arguments(rest), headers: name == "HPUB")
        case "SUB":
            let arguments = Self.arguments(rest)
            switch arguments.count {
            case 2: return .sub(subject: arguments[0], queue: nil, sid: arguments[1])
            case 3: return .sub(subject: arguments[0], queue: arguments[1], sid: arguments[2])
            default: return try fail(.badArguments, "SUB takes a subject, an optional queue group and a sid")
            }
        case "UNSUB":
            let arguments = Self.arguments(rest)
            switch arguments.count {
            case 1: return .unsub(sid: arguments[0], max: nil)
            case 2:
                guard let max = Int(arguments[1]), max >= 0 else { return try fail(.badArguments, "UNSUB max is not a number") }
                return .unsub(sid: arguments[0], max: max)
            default: return try fail(.badArguments, "UNSUB takes a sid and an optional max")
            }
        default:
            return try fail(.unknownOperation, "unknown operation")
        }
    }

    private mutating func parsePublish(_ arguments: [String], headers: Bool) throws(NATSProtocolError) -> ClientOperation? {
        let sizes = headers ? 2 : 1
        guard arguments.count == 1 + sizes || arguments.count == 2 + sizes else {
            return try fail(.badArguments, "\(headers ? "HPUB" : "PUB") takes a subject, an optional reply subject and \(headers ? "two sizes" : "a size")")
        }
        let numbers = arguments.suffix(sizes).map { Int($0) }
        guard numbers.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            return try fail(.badArguments, "bad or missing size")
        }
        let total = numbers.last!!
        let headerSize = headers ? numbers.first! : nil
        if let headerSize, headerSize > total { return try fail(.badArguments, "header size exceeds total size") }
        guard total <= limits.maxPayload else {
            return try fail(.maxPayload, "payload of \(total) bytes exceeds \(limits.maxPayload)")
        }
        let replyTo = arguments.count == 2 + sizes ? arguments[1] : nil
        state = .payload(subject: arguments[0], replyTo: replyTo, headerSize: headerSize, total: total)
        return try next()
    }

    /// Client operations, matched on their bytes in any case: no String per operation.
    private static let operations: [(name: String, bytes: [UInt8])] =
        ["PUB", "HPUB", "SUB", "UNSUB", "PING", "PONG", "CONNECT"].map { ($0, Array($0.utf8)) }

    /// The operation name in upper case ("" when unknown) and the bytes after the first separator.
    private static func splitOperation(_ line: [UInt8]) -> (String, [UInt8]) {
        var index = 0
        while index < line.count, line[index] != 0x20, line[index] != 0x09 { index += 1 }
        let word = line[..<index]
        // ASCII letters compare case-insensitively once bit 5 is cleared.
        let name = operations.first { operation in
            operation.bytes.count == word.count && zip(operation.bytes, word).allSatisfy { $0 == $1 & 0xDF }
        }?.name ?? ""
        while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        var end = line.count
        while end > index, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        return (name, Array(line[index..<end]))
    }

    private static func arguments(_ bytes: [UInt8]) -> [String] {
        bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { String(decoding: $0, as: UTF8.self) }
    }
}
