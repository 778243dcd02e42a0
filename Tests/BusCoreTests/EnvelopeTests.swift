import BusCore
import Foundation
import Testing

@Suite("Envelope codec")
struct EnvelopeTests {
    static let full: Envelope = {
        var envelope = Envelope(
            id: "3f1c", source: "concord/registry", type: "registry.unit.registered",
            time: "2026-11-21T14:45:03.123Z", dataVersion: 3, sequence: 42, classification: "RESTRICTED",
            releasableTo: ["AU", "NLD"], replyTo: "_INBOX.abc.1",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", idempotencyKey: "k-1",
            extensions: ["inreplyto": "c-9"])
        envelope.data = Array(#"{"name":"Bor \"east\"\n","note":"é✓","n":[1,2.5,-3e2,true,null]}"#.utf8)
        return envelope
    }()

    @Test("an envelope survives encode and decode unchanged")
    func roundTrip() throws {
        let bytes = EnvelopeCodec.encode(Self.full)
        #expect(try EnvelopeCodec.decode(bytes) == Self.full)
    }

    @Test("the encoding is CloudEvents 1.0 JSON structured mode")
    func cloudEventsShape() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(EnvelopeCodec.encode(Self.full))) as? [String: Any])
        #expect(object["specversion"] as? String == "1.0")
        #expect(object["datacontenttype"] as? String == "application/json")
        #expect(object["releasableto"] as? String == "AU NLD")
        #expect(object["sequence"] as? Int == 42)
        #expect(object.keys.allSatisfy { $0.allSatisfy { $0.isLowercase || $0.isNumber } })
        #expect((object["data"] as? [String: Any])?["note"] as? String == "é✓")
    }

    @Test("strings with escapes and unicode escapes decode")
    func escapes() throws {
        let text = #"{"specversion":"1.0","id":"a\u00e9\ud83d\ude00","source":"s\/x","type":"t.x.y","data":{}}"#
        let envelope = try EnvelopeCodec.decode(Array(text.utf8))
        #expect(envelope.id == "aé😀")
        #expect(envelope.source == "s/x")
    }

    @Test("malformed envelopes are refused with a typed reason", arguments: [
        ("", EnvelopeError.Code.malformedJSON),
        ("{", .malformedJSON),
        ("[1,2]", .malformedJSON),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","data":{"x":}}"#, .malformedJSON),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t"} trailing"#, .malformedJSON),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","data":"\u12"}"#, .malformedJSON),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","data":tru}"#, .malformedJSON),
        (#"{"id":"a","source":"s","type":"t"}"#, .missingAttribute),
        (#"{"specversion":"1.0","source":"s","type":"t"}"#, .missingAttribute),
        (#"{"specversion":"0.3","id":"a","source":"s","type":"t"}"#, .unsupportedSpecVersion),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","sequence":"7"}"#, .invalidAttribute),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","sequence":-1}"#, .invalidAttribute),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","dataversion":0}"#, .invalidAttribute),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","Bad-Name":"x"}"#, .invalidAttribute),
        (#"{"specversion":"1.0","id":"a","source":"s","type":"t","datacontenttype":"text/xml"}"#, .invalidAttribute),
        (#"{"specversion":"1.0","id":"","source":"s","type":"t"}"#, .invalidAttribute),
    ])
    func malformed(input: String, code: EnvelopeError.Code) {
        #expect { try EnvelopeCodec.decode(Array(input.utf8)) } throws: { ($0 as? EnvelopeError)?.code == code }
    }

    @Test("deeply nested data is refused, not a stack overflow")
    func deepNesting() {
        let data = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let text = #"{"specversion":"1.0","id":"a","source":"s","type":"t","data":"# + data + "}"
        #expect { try EnvelopeCodec.decode(Array(text.utf8)) } throws: { ($0 as? EnvelopeError)?.code == .malformedJSON }
    }

    @Test("an envelope over the size limit is refused before parsing")
    func oversized() {
        let bytes = [UInt8](repeating: 0x20, count: EnvelopeCodec.defaultMaxBytes + 1)
        #expect { try EnvelopeCodec.decode(bytes) } throws: { ($0 as? EnvelopeError)?.code == .oversized }
    }

    @Test("timestamps are RFC 3339 in UTC with milliseconds")
    func timestamps() {
        let date = Date(timeIntervalSince1970: 1_795_272_303.123)
        let text = Timestamp.rfc3339(date)
        #expect(text == "2026-11-21T14:45:03.123Z")
        #expect(abs(Timestamp.parse(text)!.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001)
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test("event ids are version-4 UUIDs that Foundation reads back, and do not repeat")
    func randomIDs() {
        let ids = (0..<10_000).map { _ in RandomID.uuid() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let parsed = UUID(uuidString: id)
            #expect(parsed?.uuidString.lowercased() == id)
            let bytes = Array(id.utf8)
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect("89ab".utf8.contains(bytes[19]))
        }
        let trace = RandomID.traceparent().split(separator: "-")
        #expect(trace.map(\.count) == [2, 32, 16, 2])
    }

    @Test("numbers are checked as JSON writes them, agreeing with Foundation's parser on generated ones")
    func numbers() {
        for valid in ["0", "-0", "12", "31.835", "-1.5e3", "1E+2", "2e-7"] {
            #expect(EnvelopeCodec.isValidJSON(Array("[\(valid)]".utf8)), "\(valid)")
        }
        for invalid in ["31.835.28", "01", "1.", ".5", "1e", "1e+", "-", "--1", "1-2", "+1", "1.e3"] {
            #expect(!EnvelopeCodec.isValidJSON(Array("[\(invalid)]".utf8)), "\(invalid)")
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-+eE")
        for _ in 0..<20_000 {
            // At most four characters, so no exponent overflows a Double in Foundation's reader.
            let text = String((0..<Int.random(in: 1...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let bytes = Array("[\(text)]".utf8)
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil
            #expect(EnvelopeCodec.isValidJSON(bytes) == foundation, "\(text)")
        }
    }
}
