import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import ServiceKit
import Testing

/// The canary information-flow property: generated scenarios run against all five services on
/// one bus; every byte a partner would receive (each journaled event the gateway would deliver
/// to it, through any subscription or queue group, and every answer to what it asked) is
/// scanned for canaries, and none may come from an input the partner may not see, or may see
/// only through its tearline. `CONCORD_FLOW_SCENARIOS` (default 2,000) and `CONCORD_FLOW_SEED`
/// (default: a new one, printed) set the run; `make soak-flow` runs 100,000.
@Suite("Information flow: canaries", .serialized)
struct InformationFlowTests {
    static let environment = ProcessInfo.processInfo.environment
    static var count: Int { environment["CONCORD_FLOW_SCENARIOS"].flatMap(Int.init) ?? 2_000 }
    /// Scenarios played on one deployment.
    static let batch = 100
    static var seed: UInt64 { environment["CONCORD_FLOW_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(Int64.max)) }

    @Test("no partner receives a canary of an input it may not see, through events, answers or refusals, over generated scenarios")
    func canaries() async throws {
        let seed = Self.seed, count = Self.count
        print("information flow: seed \(seed), \(count) scenarios (CONCORD_FLOW_SEED=\(seed) repeats this run)")
        var random = SeededGenerator(seed: seed)
        let pool = PartnerPool(using: &random)
        let scenarios = (0..<count).map { CanaryScenario(number: $0, using: &random) }
        // A fresh deployment for every batch: the services' reassessments look at everything
        // they hold, so one deployment for all would grow slower with every scenario.
        var leaks: [Leak] = [], scanned = 0
        for start in stride(from: 0, to: count, by: Self.batch) where leaks.isEmpty {
            let batch = scenarios[start..<min(start + Self.batch, count)]
            let bed = try await FlowBed.start()
            let run = try await FlowRun.start(bed: bed, pool: pool)
            for scenario in batch { try await run.play(scenario.inputs) }
            leaks = try await run.leaks(of: batch.flatMap(\.inputs))
            scanned += run.scanned
            await bed.stop()
        }
        guard let leak = leaks.first else {
            print("information flow: \(count) scenarios, \(scanned) messages to partners scanned, no leak")
            return
        }
        let scenario = scenarios[leak.scenario]
        let minimal = try await FlowRun.shrink(scenario.inputs, pool: pool)
        Issue.record("""
            seed \(seed): \(leaks.count) leaks; the first: \(leak)
            minimal scenario (\(minimal.count) of \(scenario.inputs.count) inputs):
            \(minimal.map { "  \($0)" }.joined(separator: "\n"))
            """)
    }
}

/// One leak: a canary in something a partner would receive, that it may not see.
struct Leak: CustomStringConvertible {
    let partner: String
    let canary: String
    let scenario: Int
    let message: String
    var description: String { "\(partner) would receive \(canary) in \(message.prefix(600))" }
}

/// Scenarios played on one deployment, with what partners were answered.
final class FlowRun: @unchecked Sendable {
    let bed: FlowBed
    let pool: PartnerPool
    /// Answers a partner would receive: (partner, text).
    private(set) var answers: [(String, String)] = []
    private(set) var scanned = 0

    private init(bed: FlowBed, pool: PartnerPool) {
        self.bed = bed
        self.pool = pool
    }

    /// Registers and admits the pool's partners, as the bootstrap administrator.
    static func start(bed: FlowBed, pool: PartnerPool) async throws -> FlowRun {
        for code in PartnerPool.codes {
            _ = try await bed.client.send("cmd.registry.partner.register", JSONValue.object([
                "code": .string(code), "name": .string("Partner \(code)"), "kind": "ngo",
                "clearance": .string(pool.clearances[code]!.rawValue)]))
            _ = try await bed.client.send("cmd.registry.partner.admit", JSONValue.object(["code": .string(code)]))
        }
        return FlowRun(bed: bed, pool: pool)
    }

    /// Sends each input as its sender, as the gateway would (a partner's clearance stamped),
    /// keeping every answer the sender would be given.
    func play(_ inputs: [CanaryInput]) async throws {
        for input in inputs {
            var envelope = Envelope(id: UUID().uuidString, source: input.source, type: input.type, dataVersion: 1, data: input.data.bytes)
            envelope.idempotencyKey = envelope.id
            let partner = input.source.hasPrefix("partner/") ? String(input.source.dropFirst("partner/".count)) : nil
            if let partner { envelope.extensions["clearance"] = pool.clearances[partner]!.rawValue }
            let reply = try await bed.connection.request(envelope, timeout: .seconds(10))
            if let partner, allows(reply, partner) { answers.append((partner, String(decoding: EnvelopeCodec.encode(reply), as: UTF8.self))) }
        }
    }

    func allows(_ envelope: Envelope, _ partner: String) -> Bool {
        Releasability.allows(classification: envelope.classification, releasableTo: envelope.releasableTo,
                             partner: partner, clearance: pool.clearances[partner]!)
    }

    /// Waits until no service journals anything more, then scans every event each partner
    /// would be delivered and every answer it was given.
    func leaks(of inputs: [CanaryInput]) async throws -> [Leak] {
        try await settle()
        let oracle = CanaryOracle(inputs, pool: pool)
        var leaks: [Leak] = []
        for domain in FlowBed.domains {
            let events = try bed.read(domain.name) { db in
                try Data.fetchAll(db, sql: "SELECT envelope FROM journal ORDER BY sequence")
            }
            for bytes in events {
                let envelope = try EnvelopeCodec.decode(Array(bytes))
                let text = String(decoding: bytes, as: UTF8.self)
                for partner in PartnerPool.codes where allows(envelope, partner) {
                    scanned += 1
                    leaks += oracle.leaks(in: text, to: partner)
                }
            }
        }
        for (partner, text) in answers {
            scanned += 1
            leaks += oracle.leaks(in: text, to: partner)
        }
        return leaks
    }

    /// Journals stop growing: every reaction to the inputs has run.
    private func settle() async throws {
        var last: [Int64] = []
        while true {
            try await Task.sleep(for: .milliseconds(500))
            let now = try FlowBed.domains.map { domain in
                try bed.read(domain.name) { db in try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM journal") ?? 0 }
            }
            if now == last { return }
            last = now
        }
    }

    /// The smallest part of a leaking scenario that still leaks: inputs are dropped one at a
    /// time, each candidate run on a fresh deployment, while the leak stays.
    static func shrink(_ inputs: [CanaryInput], pool: PartnerPool) async throws -> [CanaryInput] {
        var current = inputs
        var index = 0
        while index < current.count {
            var candidate = current
            candidate.remove(at: index)
            if try await leaksAlone(candidate, pool: pool) {
                current = candidate
            } else {
                index += 1
            }
        }
        return current
    }

    private static func leaksAlone(_ inputs: [CanaryInput], pool: PartnerPool) async throws -> Bool {
        let bed = try await FlowBed.start()
        let run = try await FlowRun.start(bed: bed, pool: pool)
        try await run.play(inputs)
        let leaks = try await run.leaks(of: inputs)
        await bed.stop()
        return !leaks.isEmpty
    }
}

/// Who may see each canary: the partners that sent an input holding it, and those an input
/// holding it is released to (its label, at their clearance).
struct CanaryOracle {
    private var senders: [String: Set<String>] = [:]
    private var labels: [String: [Label]] = [:]
    private let pool: PartnerPool
    /// The unique part of every canary (`Z<scenario>Q<n>Z`).
    private static let pattern = try! NSRegularExpression(pattern: "Z([0-9]+)Q[0-9]+Z")

    init(_ inputs: [CanaryInput], pool: PartnerPool) {
        self.pool = pool
        for input in inputs {
            for (canary, label) in input.canaries {
                let token = Self.token(canary)
                labels[token, default: []].append(label)
                if input.source.hasPrefix("partner/") { senders[token, default: []].insert(String(input.source.dropFirst("partner/".count))) }
            }
        }
    }

    /// `AL-Z12Q3Z` → `Z12Q3Z`.
    private static func token(_ canary: String) -> String { "Z" + canary.components(separatedBy: "-Z").last! }

    func mayReceive(_ token: String, _ partner: String) -> Bool {
        senders[token]?.contains(partner) == true || (labels[token] ?? []).contains { label in
            Releasability.allows(classification: label.classification.rawValue, releasableTo: label.releasableTo,
                                 partner: partner, clearance: pool.clearances[partner]!)
        }
    }

    func leaks(in text: String, to partner: String) -> [Leak] {
        let range = NSRange(text.startIndex..., in: text)
        return Self.pattern.matches(in: text, range: range).compactMap { match in
            let token = String(text[Range(match.range, in: text)!])
            guard !mayReceive(token, partner) else { return nil }
            let scenario = Int(text[Range(match.range(at: 1), in: text)!]) ?? -1
            return Leak(partner: partner, canary: token, scenario: scenario, message: text)
        }
    }
}
