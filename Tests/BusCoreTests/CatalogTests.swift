import BusCore
import Foundation
import Testing

@Suite("Message catalog")
struct CatalogTests {
    struct Sighting: Decodable, Equatable {
        var place: Place
        var count: Int
        var confidence: String
        struct Place: Decodable, Equatable { var name: String }
    }

    /// v1 had `place` as text; v2 made it an object; v3 added `confidence`.
    static let catalog = MessageCatalog([
        MessageType("test.sighting.reported", version: 3, summary: "sample",
                    upcasters: [
                        1: { $0["place"] = .object(["name": $0["place"] ?? .null]) },
                        2: { $0["confidence"] = .string("unknown") },
                    ],
                    examples: [
                        1: #"{"place":"Bor","count":3}"#,
                        2: #"{"place":{"name":"Bor"},"count":3}"#,
                        3: #"{"place":{"name":"Bor"},"count":3,"confidence":"unknown"}"#,
                    ]),
    ])

    static func envelope(version: Int?, type: String = "test.sighting.reported", data: String) -> Envelope {
        Envelope(id: UUID().uuidString, source: "test", type: type, dataVersion: version, data: Array(data.utf8))
    }

    @Test("every recorded version of the sample type upcasts to the current one", arguments: [1, 2, 3])
    func upcastsEveryVersion(version: Int) throws {
        let type = try #require(Self.catalog.types["test.sighting.reported"])
        let upcast = try Self.catalog.upcast(Self.envelope(version: version, data: try #require(type.examples[version])))
        #expect(upcast.dataVersion == 3)
        #expect(try upcast.decodeData(Sighting.self) == Sighting(place: .init(name: "Bor"), count: 3, confidence: "unknown"))
    }

    @Test("an envelope without a version is read as version 1")
    func missingVersionIsOne() throws {
        let upcast = try Self.catalog.upcast(Self.envelope(version: nil, data: #"{"place":"Bor","count":3}"#))
        #expect(try upcast.decodeData(Sighting.self).place.name == "Bor")
    }

    @Test("a newer version is refused with a reason naming both versions")
    func newerVersion() {
        #expect {
            try Self.catalog.upcast(Self.envelope(version: 4, data: "{}"))
        } throws: { error in
            guard let error = error as? EnvelopeError else { return false }
            return error.code == .newerVersion && error.reason.contains("version 4") && error.reason.contains("3")
        }
    }

    @Test("an unknown type is refused")
    func unknownType() {
        #expect { try Self.catalog.upcast(Self.envelope(version: 1, type: "test.nothing.happened", data: "{}")) }
            throws: { ($0 as? EnvelopeError)?.code == .unknownType }
    }

    @Test("data of the wrong shape gives a reason naming the field")
    func wrongShape() {
        let envelope = Self.envelope(version: 3, data: #"{"place":{"name":"Bor"},"count":"three","confidence":"x"}"#)
        #expect { try envelope.decodeData(Sighting.self) } throws: { error in
            guard let error = error as? EnvelopeError else { return false }
            return error.code == .invalidData && error.reason.contains("count")
        }
    }
}
