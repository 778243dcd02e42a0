import BusCore
import ConcordTestSupport
import Foundation
@testable import Gateway
import Intelligence
import Liaison
import Logistics
import Registry
import Testing
import Training

/// The envelope-building path (a partner's headers × every catalog type) as a fuzz target:
/// header blocks and payloads built from interesting values and mutated byte by byte, for
/// `CONCORD_FUZZ_SECONDS` (2 in every test run; `make fuzz` gives it the fuzz run's time).
/// Whatever a partner sends must come back as an envelope the bus can carry or as a refusal;
/// a trap anywhere on the path ends the test process and fails the run.
@Suite("Partner envelope fuzz")
struct PartnerEnvelopeFuzzTests {
    static let catalog = [RegistryService().catalog, LogisticsService().catalog, IntelligenceService().catalog,
                          TrainingService().catalog, LiaisonService().catalog, GatewayCatalog.catalog]
        .reduce(MessageCatalog()) { $0.merging($1) }
    static let headerNames = ["Concord-Data-Version", "Concord-Classification", "Concord-Releasable-To", "Concord-Idempotency-Key",
                              "traceparent", "concord-data-version", "X-Other"]
    static let values = ["0", "-1", "1", "2", "3", "4", "99", "9223372036854775807", "99999999999999999999", "1.5", "abc", "", " 1",
                         "SECRET", "secret", "UNCLASSIFIED", "TOP SECRET", "NLD", "NLD WFP", " ", "\u{0}", "é", String(repeating: "x", count: 5_000)]

    @Test("every header block and payload, over every catalog type, builds an envelope the bus carries or is refused")
    func fuzz() throws {
        let seconds = ProcessInfo.processInfo.environment["CONCORD_FUZZ_SECONDS"].flatMap(Double.init) ?? 2
        let seed = UInt64.random(in: 1...UInt64(Int64.max))
        var random = SeededGenerator(seed: seed)
        let types = Self.catalog.types.keys.sorted()
        let partner = PartnerDirectory.Entry(code: "WFP", clearance: .restricted, status: "member")
        let deadline = Date().addingTimeInterval(seconds)
        var inputs = 0, accepted = 0
        while Date() < deadline {
            for type in types {
                let headers = Self.headerBlock(using: &random)
                let payload = Self.payload(for: type, using: &random)
                inputs += 1
                switch PartnerEnvelope.make(subject: type, headers: headers, payload: payload, partner: partner, catalog: Self.catalog) {
                case .success(let envelope):
                    accepted += 1
                    let newest = Self.catalog.types[type]!.version
                    #expect((1...newest).contains(envelope.dataVersion ?? 0), "seed \(seed): \(type) accepted at version \(envelope.dataVersion ?? 0)")
                    #expect(Classification(rawValue: envelope.classification ?? "").map { $0 <= partner.clearance } == true,
                            "seed \(seed): \(type) accepted above the partner's clearance")
                    let decoded = try EnvelopeCodec.decode(EnvelopeCodec.encode(envelope), maxBytes: .max)
                    // The same JSON (whitespace around it is not kept).
                    #expect(try JSONTreeDecoder.parse(decoded.data ?? []) == JSONTreeDecoder.parse(envelope.data ?? []),
                            "seed \(seed): \(type) does not survive encoding")
                case .failure(let error):
                    #expect(!error.reason.isEmpty)
                }
            }
        }
        print("envelope fuzz: \(inputs) inputs over \(types.count) types in \(Int(seconds)) s, \(accepted) accepted, seed \(seed)")
        #expect(inputs > types.count)
    }

    /// A NATS/1.0 header block of interesting names and values, sometimes mutated byte by byte.
    static func headerBlock(using random: inout SeededGenerator) -> [UInt8]? {
        guard Int.random(in: 0..<8, using: &random) != 0 else { return nil }
        var text = "NATS/1.0\r\n"
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            text += "\(headerNames.randomElement(using: &random)!): \(values.randomElement(using: &random)!)\r\n"
        }
        return mutate(Array((text + "\r\n").utf8), using: &random)
    }

    /// One of the type's recorded examples, an empty object or a broken one, sometimes mutated.
    static func payload(for type: String, using random: inout SeededGenerator) -> [UInt8] {
        let examples = catalog.types[type]!.examples.values.map { Array($0.utf8) }
        let base = (examples + [Array("{}".utf8), Array("{\"a\":".utf8), Array("null".utf8)]).randomElement(using: &random)!
        return mutate(base, using: &random)
    }

    /// Flips, inserts or removes a few bytes in one input out of four.
    static func mutate(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        guard !bytes.isEmpty, Int.random(in: 0..<4, using: &random) == 0 else { return bytes }
        var bytes = bytes
        let interesting: [UInt8] = [0, 10, 13, 32, 34, 58, 92, 123, 125, 0xFF]
        for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes[at] = interesting.randomElement(using: &random)!
            case 1: bytes.insert(interesting.randomElement(using: &random)!, at: at)
            default: bytes.remove(at: at)
            }
        }
        return bytes
    }
}
