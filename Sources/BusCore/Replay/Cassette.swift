import Foundation

/// A cassette: recorded bus traffic as JSON Lines. The first line is a `CassetteHeader`, every
/// other line one message — `{"offset":<ms since start>,"topic":"…","envelope":{…}}` — with the
/// envelope exactly as it travelled, so a replay keeps its identity.
public enum Cassette {
    /// The format this Concord writes and the newest it reads.
    public static let formatVersion = 1
}

/// What a cassette holds and how it was made.
public struct CassetteHeader: Codable, Sendable, Equatable {
    /// The cassette format version.
    public var cassette: Int
    /// When the recording started (RFC 3339); message offsets count from here.
    public var started: String
    /// The Concord version that recorded it.
    public var concord: String
    /// The capture endpoint it was recorded from, when recorded from a bus.
    public var capture: String?
    /// Topic prefixes recorded; empty means every topic.
    public var topics: [String]
    /// Redaction applied: only messages a partner with this code and clearance could receive.
    public var releasableTo: String?
    public var maxClassification: String?

    public init(started: Date, concord: String, capture: String? = nil, topics: [String] = [],
                releasableTo: String? = nil, maxClassification: String? = nil) {
        cassette = Cassette.formatVersion
        self.started = Timestamp.rfc3339(started)
        self.concord = concord
        self.capture = capture
        self.topics = topics
        self.releasableTo = releasableTo
        self.maxClassification = maxClassification
    }
}

/// One recorded message.
public struct CassetteEntry: Sendable, Equatable {
    /// Milliseconds since the recording started.
    public var offset: Int64
    public var topic: String
    /// The envelope's bytes as they travelled.
    public var envelope: [UInt8]

    public init(offset: Int64, topic: String, envelope: [UInt8]) {
        self.offset = offset
        self.topic = topic
        self.envelope = envelope
    }

    /// The entry as one cassette line, newline included. The envelope is embedded as it is: it
    /// is already one line of JSON.
    public var line: [UInt8] {
        var writer = JSONWriter(capacity: envelope.count + topic.utf8.count + 48)
        writer.raw("{\"offset\":")
        writer.integer(offset)
        writer.raw(",\"topic\":")
        writer.string(topic)
        writer.raw(",\"envelope\":")
        writer.raw(envelope)
        writer.raw("}\n")
        return writer.bytes
    }

    /// Reads one message line (without its newline).
    public static func parse(_ line: ArraySlice<UInt8>) throws(CassetteError.Reason) -> CassetteEntry {
        do {
            return try line.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                var offset: Int64?, topic: String?, envelope: Range<Int>?
                try scanner.expect(UInt8(ascii: "{"))
                if !scanner.take(UInt8(ascii: "}")) {
                    repeat {
                        let key = try scanner.string()
                        try scanner.expect(UInt8(ascii: ":"))
                        switch key {
                        case "offset": offset = try scanner.integer()
                        case "topic": topic = try scanner.string()
                        case "envelope":
                            guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.fail("envelope is not an object") }
                            envelope = try scanner.skipValue()
                        default: _ = try scanner.skipValue()
                        }
                    } while scanner.take(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "}"))
                }
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw scanner.fail("text after the message") }
                guard let offset, offset >= 0 else { throw scanner.fail("no offset") }
                guard let topic, !topic.isEmpty else { throw scanner.fail("no topic") }
                guard let envelope else { throw scanner.fail("no envelope") }
                return CassetteEntry(offset: offset, topic: topic, envelope: Array(buffer[envelope]))
            }
        } catch let failure as JSONScanner.Failure {
            throw .init(failure.reason)
        } catch {
            throw .init("\(error)")
        }
    }
}

/// A cassette that cannot be read, or one of its lines.
public struct CassetteError: Error, CustomStringConvertible, Equatable {
    /// Why a line could not be read.
    public struct Reason: Error, Equatable {
        public let text: String
        init(_ text: String) { self.text = text }
    }

    /// The 1-based line, or nil for the file as a whole.
    public let line: Int?
    public let reason: String

    public init(line: Int?, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { line.map { "line \($0): \(reason)" } ?? reason }
}
