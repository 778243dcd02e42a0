import NATSProtocol
import Testing

@Suite("NATS client decoder")
struct ClientDecoderTests {
    /// What stock clients send in one session, with their quirks: lower case, doubled and
    /// trailing spaces, tabs, bare LF.
    static let session = Array((
        #"CONNECT {"verbose":false,"pedantic":false,"auth_token":"s3cret","name":"nats-py","lang":"python3","version":"2.9.0","protocol":1,"headers":true,"no_responders":true}"# + "\r\n"
        + "PING\r\n"
        + "sub  logistics.*.approved  1\r\n"
        + "SUB\tintel.>\tanalysts\t2 \r\n"
        + "PUB cmd.registry.partner.list _INBOX.abc.1 2\r\n{}\r\n"
        + "pub  empty.payload  0\r\n\r\n"
        + "HPUB intel.report.filed 18 23\r\nNATS/1.0\r\nA: b\r\n\r\nhello\r\n"
        + "UNSUB 1 5\r\n"
        + "unsub 2\n"
        + "PONG\r\n"
    ).utf8)

    static let expected: [ClientOperation] = {
        var connect = ConnectOptions()
        connect.verbose = false
        connect.pedantic = false
        connect.authToken = "s3cret"
        connect.name = "nats-py"
        connect.lang = "python3"
        connect.version = "2.9.0"
        connect.protocol = 1
        connect.headers = true
        connect.noResponders = true
        return [
            .connect(connect), .ping,
            .sub(subject: "logistics.*.approved", queue: nil, sid: "1"),
            .sub(subject: "intel.>", queue: "analysts", sid: "2"),
            .pub(subject: "cmd.registry.partner.list", replyTo: "_INBOX.abc.1", payload: Array("{}".utf8)),
            .pub(subject: "empty.payload", replyTo: nil, payload: []),
            .hpub(subject: "intel.report.filed", replyTo: nil, headers: Array("NATS/1.0\r\nA: b\r\n\r\n".utf8), payload: Array("hello".utf8)),
            .unsub(sid: "1", max: 5), .unsub(sid: "2", max: nil), .pong,
        ]
    }()

    static func decode(_ chunks: [[UInt8]], limits: ClientDecoder.Limits = .init()) throws -> [ClientOperation] {
        var decoder = ClientDecoder(limits: limits)
        var operations: [ClientOperation] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let operation = try decoder.next() { operations.append(operation) }
        }
        return operations
    }

    @Test("a whole session decodes at once")
    func whole() throws {
        #expect(try Self.decode([Self.session]) == Self.expected)
    }

    @Test("fed byte by byte it gives the same operations")
    func byteByByte() throws {
        #expect(try Self.decode(Self.session.map { [$0] }) == Self.expected)
    }

    @Test("fed in random splits it gives the same operations", arguments: 0..<50)
    func randomSplits(seed: Int) throws {
        #expect(try Self.decode(SplitMix.chunks(of: Self.session, seed: seed)) == Self.expected)
    }

    @Test("malformed input is refused with nats-server's error text", arguments: MalformedInputs.all)
    func malformed(input: MalformedInputs.Case) {
        var decoder = ClientDecoder(limits: .init(maxControlLine: 256, maxPayload: 1_024))
        decoder.append(Array(input.bytes.utf8))
        var thrown: NATSProtocolError?
        do {
            while try decoder.next() != nil {}
        } catch {
            thrown = error
        }
        // Nothing thrown fails here too: the text compared is then nil.
        #expect(thrown?.errText == input.errText, "\(input.bytes.debugDescription): \(String(describing: thrown))")
    }

    @Test("after an error the decoder stays failed")
    func staysFailed() {
        var decoder = ClientDecoder()
        decoder.append(Array("FOO\r\nPING\r\n".utf8))
        #expect(throws: NATSProtocolError.self) { try decoder.next() }
        #expect(throws: NATSProtocolError.self) { try decoder.next() }
    }

    @Test("a payload that fits the limit exactly is accepted")
    func payloadAtLimit() throws {
        let payload = String(repeating: "x", count: 1_024)
        let operations = try Self.decode([Array("PUB a.b 1024\r\n\(payload)\r\n".utf8)], limits: .init(maxControlLine: 256, maxPayload: 1_024))
        #expect(operations == [.pub(subject: "a.b", replyTo: nil, payload: Array(payload.utf8))])
    }
}
