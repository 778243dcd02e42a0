import BusCore
import Foundation
import Testing

@Suite("JSON tree encoder")
struct JSONTreeTests {
    enum Status: String, Codable { case draft, submitted }
    struct Item: Codable { var item: String; var quantity: Double; var unit: String? }
    struct Sample: Codable {
        var request = "R-1/\"east\"\n\t\u{08}\u{0C}\u{01} é✓"
        var status = Status.submitted
        var items = [Item(item: "water", quantity: 10, unit: "litres"), Item(item: "rice", quantity: 0.1, unit: nil)]
        var numbers: [Double] = [1e20, -3.5, 1e-7, 0, 123456.789, .leastNonzeroMagnitude]
        var large = Int64.max
        var small = Int.min
        var flags = [true, false]
        var missing: String? = nil
        var present: Int? = 7
        var nested = ["b": ["z": 1, "a": 2], "a": [:]]
        var blob = Data([0, 1, 2, 250])
        var link = URL(string: "https://example.org/a/b")!
        var when = Date(timeIntervalSinceReferenceDate: 12.5)
    }

    @Test("writes byte for byte what the shared Foundation encoder writes")
    func matchesFoundation() throws {
        let expected = Array(try JSONCoding.encoder.encode(Sample()))
        let written = try JSONTreeEncoder.encode(Sample()).bytes
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test("refuses what JSON cannot hold, naming the field")
    func refusesNonFinite() {
        struct Bad: Encodable { var item = Item(item: "x", quantity: .nan, unit: nil) }
        #expect { try JSONTreeEncoder.encode(Bad()) } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["item", "quantity"]
        }
    }
}

@Suite("JSON tree decoder")
struct JSONTreeDecoderTests {
    @Test("reads back what the encoder wrote, as Foundation does")
    func roundTrip() throws {
        let bytes = try JSONTreeEncoder.encode(JSONTreeTests.Sample()).bytes
        let ours = try JSONTreeDecoder.decode(JSONTreeTests.Sample.self, from: bytes)
        let foundation = try JSONCoding.decoder.decode(JSONTreeTests.Sample.self, from: Data(bytes))
        #expect(try JSONTreeEncoder.encode(ours).bytes == JSONTreeEncoder.encode(foundation).bytes)
    }

    struct Input: Decodable { var request: String; var items: [JSONTreeTests.Item]; var count: Int? }

    @Test("errors name the field the way the command errors report it", arguments: [
        (#"{"items":[]}"#, "missing field 'request'"),
        (#"{"request":"R","items":[{"item":"w","unit":"l"}]}"#, "missing field 'items.[0].quantity'"),
        (#"{"request":7,"items":[]}"#, "field 'request' has the wrong type: expected String"),
        (#"{"request":null,"items":[]}"#, "field 'request' is null: expected String"),
        (#"{"request":"R","items":[],"count":1.5}"#, "field 'count' is invalid: Parsed JSON number does not fit in Int."),
        (#"{"request":"R","items":[]"#, "data is not valid JSON"),
        (#"{"request":"R","items":[]} x"#, "data is not valid JSON"),
    ])
    func errors(input: String, expected: String) {
        #expect { try JSONTreeDecoder.decode(Input.self, from: Array(input.utf8)) } throws: { error in
            guard let error = error as? DecodingError else { return false }
            return JSONCoding.describe(error) == expected
        }
    }

    @Test("optional fields may be absent or null, unknown fields are ignored")
    func lenient() throws {
        let input = try JSONTreeDecoder.decode(Input.self, from: Array(#"{"request":"R","items":[],"count":null,"extra":{"a":[1]}}"#.utf8))
        #expect(input.request == "R" && input.count == nil)
    }
}
