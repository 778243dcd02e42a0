import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import ServiceKit
import Testing

/// The canary information-flow property: generated scenarios run against all five services on
/// one bus behind a real gateway. Partners send their inputs over NATS connections with the
/// permissions the seed drew; every byte each partner receives (deliveries to plain
/// subscriptions and queue groups, replies, errors), its recording made with
/// `--releasable-to`, its whole view of every stream read through a JetStream consumer, every
/// message of its console WebSocket and the map layers the console serves it, and each
/// journaled event the gateway's rule would release to it, is
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
        for code in PartnerPool.codes { print("  \(code) \(pool.clearances[code]!.rawValue): \(pool.access[code]!)") }
        let scenarios = (0..<count).map { CanaryScenario(number: $0, using: &random) }
        // A fresh deployment for every batch: the services' reassessments look at everything
        // they hold, so one deployment for all would grow slower with every scenario.
        var leaks: [Leak] = [], scanned = 0, escorts = 0, feeds = 0, browsers = 0
        var batch = scenarios[0..<0]
        for start in stride(from: 0, to: count, by: Self.batch) where leaks.isEmpty {
            batch = scenarios[start..<min(start + Self.batch, count)]
            let bed = try await FlowBed.start()
            let run = try await FlowRun.start(bed: bed, pool: pool)
            for scenario in batch { try await run.play(scenario.inputs) }
            leaks = try await run.leaks(of: batch.flatMap(\.inputs))
            scanned += run.scanned
            escorts += run.escortsAssigned
            feeds += run.feedMessages
            browsers += run.gateway.console.webSocketMessages.load(ordering: .relaxed)
            await bed.stop()
            // A soak runs for hours: say how far it is.
            if (start + Self.batch) % 10_000 == 0, leaks.isEmpty { print("information flow: \(start + Self.batch) scenarios, no leak so far") }
        }
        guard let leak = leaks.first else {
            print("information flow: \(count) scenarios, \(scanned) messages to partners scanned (\(feeds) through durable feeds, \(browsers) over console WebSockets), \(escorts) escorts assigned on request, no leak")
            #expect(feeds > 0, "the partners' durable feeds were read")
            #expect(browsers > 0, "the partners' console WebSockets received events")
            return
        }
        let minimal = try await FlowRun.shrink(batch.map(\.inputs), leaking: leak.scenario - batch.startIndex, pool: pool)
        Issue.record("""
            seed \(seed): \(leaks.count) leaks; the first: \(leak)
            minimal case (\(minimal.count) inputs, shrunk from the \(batch.flatMap(\.inputs).count) played with it):
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

/// Scenarios played on one deployment, its partners connected through a gateway.
final class FlowRun: @unchecked Sendable {
    let bed: FlowBed
    let pool: PartnerPool
    let gateway: FlowGateway
    private(set) var scanned = 0
    /// Escorts logistics assigned to requests for assistance.
    private(set) var escortsAssigned = 0
    /// Of those scanned, messages read through the partners' durable feeds (JetStream).
    private(set) var feedMessages = 0

    private init(bed: FlowBed, pool: PartnerPool, gateway: FlowGateway) {
        self.bed = bed
        self.pool = pool
        self.gateway = gateway
    }

    /// Registers and admits the pool's partners, as the bootstrap administrator, and connects
    /// them through a gateway.
    static func start(bed: FlowBed, pool: PartnerPool) async throws -> FlowRun {
        for code in PartnerPool.codes {
            _ = try await bed.client.send("cmd.registry.partner.register", JSONValue.object([
                "code": .string(code), "name": .string("Partner \(code)"), "kind": "ngo",
                "clearance": .string(pool.clearances[code]!.rawValue)]))
            _ = try await bed.client.send("cmd.registry.partner.admit", JSONValue.object(["code": .string(code)]))
        }
        return FlowRun(bed: bed, pool: pool, gateway: try await FlowGateway.start(bed: bed, pool: pool))
    }

    /// Sends each input as its sender: a partner's over its gateway connection, staff's on the
    /// bus; each waits for its answer.
    func play(_ inputs: [CanaryInput]) async throws {
        for input in inputs {
            if input.source.hasPrefix("partner/") {
                try await gateway.request(String(input.source.dropFirst("partner/".count)), input.type, payload: input.data.bytes)
                continue
            }
            _ = try await bed.request(input.type, input.data.bytes, from: input.source)
        }
    }

    func allows(_ envelope: Envelope, _ partner: String) -> Bool {
        Releasability.allows(classification: envelope.classification, releasableTo: envelope.releasableTo,
                             partner: partner, clearance: pool.clearances[partner]!)
    }

    /// Waits until no service journals anything more, then scans what each partner received
    /// through the gateway and in its recording, and every journaled event the gateway's rule
    /// releases to it (whatever it subscribed to).
    func leaks(of inputs: [CanaryInput]) async throws -> [Leak] {
        try await settle()
        var oracle = CanaryOracle(inputs, pool: pool)
        // Which unit escorts which request is the service's choice; what the choice releases
        // is the oracle's to say.
        let escorts = try bed.read("logistics") { db in
            try Row.fetchAll(db, sql: "SELECT request, escort FROM convoy WHERE request IS NOT NULL AND escort IS NOT NULL")
                .map { (request: $0["request"] as String, escort: $0["escort"] as String) }
        }
        oracle.follow(escorts: escorts)
        escortsAssigned += escorts.count
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
        for (partner, lines, messages) in try await gateway.finish() {
            scanned += messages
            for line in lines { leaks += oracle.leaks(in: line, to: partner) }
        }
        feedMessages += gateway.feedMessages.load(ordering: .relaxed)
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

    /// The smallest part of a leaking batch that still leaks, each candidate run on a fresh
    /// deployment: the leaking scenario alone if it leaks alone, else the batch with ever
    /// smaller runs of scenarios dropped (a leak may need another scenario, such as the unit
    /// an escort request was given); then inputs one at a time.
    static func shrink(_ batch: [[CanaryInput]], leaking: Int, pool: PartnerPool) async throws -> [CanaryInput] {
        var scenarios = batch
        if batch.indices.contains(leaking), try await leaksAlone(batch[leaking], pool: pool) {
            scenarios = [batch[leaking]]
        } else {
            var run = scenarios.count / 2
            while run >= 1 {
                var start = 0
                while start < scenarios.count {
                    var candidate = scenarios
                    candidate.removeSubrange(start..<min(start + run, scenarios.count))
                    if try await leaksAlone(candidate.flatMap { $0 }, pool: pool) { scenarios = candidate } else { start += run }
                }
                run /= 2
            }
        }
        var current = scenarios.flatMap { $0 }
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

    /// The partner an input names as its owner, by type and key (`requester`, `partner`).
    private var namers: [String: String] = [:]
    /// The route each request names.
    private var routes: [String: [String]] = [:]

    init(_ inputs: [CanaryInput], pool: PartnerPool) {
        self.pool = pool
        for input in inputs {
            if case .object(let data) = input.data {
                let key = (data["rfa"] ?? data["unit"])?.stringValue.map(Self.token)
                if let key, let owner = (data["requester"] ?? data["partner"])?.stringValue {
                    namers["\(input.type) \(key)"] = owner
                }
                if input.type == "cmd.liaison.rfa.submit", let key, let route = data["route"]?.stringValue {
                    routes[key] = [Self.token(route)]
                }
            }
            for (canary, label) in input.canaries {
                let token = Self.token(canary)
                labels[token, default: []].append(label)
                if input.source.hasPrefix("partner/") { senders[token, default: []].insert(String(input.source.dropFirst("partner/".count))) }
            }
        }
    }

    /// An escort assignment for a request releases the escort's name to the requester, and the
    /// convoy (named after the request, on the request's route) to the escort's partner: both
    /// join a convoy label of the two (docs/security.md).
    mutating func follow(escorts: [(request: String, escort: String)]) {
        for (request, escort) in escorts {
            guard let requester = namers["cmd.liaison.rfa.submit " + Self.token(request)],
                  let owner = namers["cmd.registry.unit.register " + Self.token(escort)] else { continue }
            let label = Label(.restricted, releasableTo: [requester, owner])
            for token in [Self.token(request), Self.token(escort)] { labels[token, default: []].append(label) }
            for token in routes[Self.token(request)] ?? [] { labels[token, default: []].append(label) }
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
