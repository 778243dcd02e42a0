import NATSProtocol
import Testing

@Suite("NATS server-stream decoder (the client side)")
struct ServerDecoderTests {
    /// What nats-server and the gateway send in one session, with a bare LF and a header message.
    static let session = Array((
        #"INFO {"server_id":"NX","version":"2.9.10","max_payload":1048576,"headers":true}"# + "\r\n"
        + "+OK\r\n"
        + "PING\r\n"
        + "MSG logistics.request.created 1 5\r\nhello\r\n"
        + "MSG a.b 22 _INBOX.abc.1 0\r\n\r\n"
        + "HMSG registry.unit.registered 3 _INBOX.x 12 17\r\nNATS/1.0\r\n\r\nhello\r\n"
        + "PONG\n"
        + "-ERR 'Permissions Violation for Publish to \"intel.report.filed\"'\r\n"
    ).utf8)

    static let expected: [ServerOperation] = [
        .info(Array(#"{"server_id":"NX","version":"2.9.10","max_payload":1048576,"headers":true}"#.utf8)),
        .ok, .ping,
        .msg(subject: "logistics.request.created", sid: "1", replyTo: nil, headers: nil, payload: Array("hello".utf8)),
        .msg(subject: "a.b", sid: "22", replyTo: "_INBOX.abc.1", headers: nil, payload: []),
        .msg(subject: "registry.unit.registered", sid: "3", replyTo: "_INBOX.x", headers: Array("NATS/1.0\r\n\r\n".utf8),
             payload: Array("hello".utf8)),
        .pong,
        .err("Permissions Violation for Publish to \"intel.report.filed\""),
    ]

    static func decode(_ chunks: [[UInt8]], maxPayload: Int = 1_024) throws -> [ServerOperation] {
        var decoder = ServerDecoder(maxPayload: maxPayload, maxControlLine: 256)
        var operations: [ServerOperation] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let operation = try decoder.next() { operations.append(operation) }
        }
        return operations
    }

    @Test("a whole session decodes at once, and fed byte by byte gives the same operations")
    func session() throws {
        #expect(try Self.decode([Self.session]) == Self.expected)
        #expect(try Self.decode(Self.session.map { [$0] }) == Self.expected)
    }

    @Test("fed in random splits it gives the same operations", arguments: 0..<30)
    func randomSplits(seed: Int) throws {
        #expect(try Self.decode(SplitMix.chunks(of: Self.session, seed: seed)) == Self.expected)
    }

    /// Inputs a server might send by mistake or an attacker on purpose; each must be refused
    /// with an error, never sliced (a negative or oversized size used to trap the client).
    static let malformed: [(String, NATSProtocolError.Code)] = [
        ("MSG a.b 1 -5\r\nxx\r\n", .maxPayload),
        ("MSG a.b 1 +5\r\nhello\r\n", .maxPayload),
        ("MSG a.b 1 five\r\nhello\r\n", .maxPayload),
        ("MSG a.b 1 1025\r\n", .maxPayload),
        ("MSG a.b 1 99999999999999999999999\r\n", .maxPayload),
        ("HMSG a.b 1 9 4\r\nNATS/1.0\r\n\r\n", .badArguments),
        ("HMSG a.b 1 -1 4\r\nabcd\r\n", .badArguments),
        ("MSG a.b 1 5\r\nhelloXY", .unknownOperation),
        ("MSG a.b\r\n", .badArguments),
        ("MSG a.b 1 2 3 4\r\n", .badArguments),
        ("HMSG a.b 1\r\n", .badArguments),
        ("BOGUS\r\n", .unknownOperation),
        (String(repeating: "x", count: 300), .maxControlLine),
        ("INFO " + String(repeating: "y", count: 300) + "\r\n", .maxControlLine),
    ]

    @Test("malformed input is refused with a protocol error and the decoder stays failed", arguments: 0..<14)
    func malformed(index: Int) {
        let (input, code) = Self.malformed[index]
        var decoder = ServerDecoder(maxPayload: 1_024, maxControlLine: 256)
        decoder.append(Array(input.utf8))
        var thrown: NATSProtocolError?
        do {
            while try decoder.next() != nil {}
        } catch {
            thrown = error
        }
        #expect(thrown?.code == code, "\(input.debugDescription): \(String(describing: thrown))")
        decoder.append(Array("PING\r\n".utf8))
        #expect(throws: NATSProtocolError.self, "a failed decoder must stay failed") { try decoder.next() }
    }
}
