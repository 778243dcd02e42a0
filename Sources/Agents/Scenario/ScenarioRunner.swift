import BusCore
import Foundation
import Synchronization

/// Drives an exercise from a scenario: sends each inject's command at its time (scaled by the
/// speed), and checks that the events it expects arrive in time.
public struct ScenarioRunner: Sendable {
    public let scenario: Scenario
    public var speed = Replayer.Speed.original
    /// How long each command's answer may take.
    public var answerTimeout: Duration = .seconds(10)
    /// How long an expected event may take when the inject does not say.
    public var defaultWithin = Scenario.Offset(milliseconds: 10_000)
    /// Where partners' commands go in through the gateway, as a stock client's would; without
    /// it they go on the bus with the partner's source, as the gateway would stamp them.
    public var gateway: (host: String, port: Int)?
    /// TLS to the gateway (a `tls://` gateway), with the CA its certificate is checked against.
    public var gatewayTLS: PartnerClient.TLS?

    public init(scenario: Scenario) { self.scenario = scenario }

    /// What happened to one inject.
    public struct Outcome: Sendable {
        public var offset: Int64
        public var partner: String?
        public var command: String
        public var note: String?
        /// The answer's type, or why there was none.
        public var answer: String
        /// The refusal's message when the command was refused.
        public var refusal: String?
        public var expectations: [(event: String, met: Bool)]
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var name: String
        public var outcomes: [Outcome]

        public var met: Int { outcomes.reduce(0) { $0 + $1.expectations.filter(\.met).count } }
        public var missed: Int { outcomes.reduce(0) { $0 + $1.expectations.filter { !$0.met }.count } }
        public var refused: Int { outcomes.filter { $0.refusal != nil }.count }
        public var succeeded: Bool { missed == 0 && refused == 0 }

        public var description: String {
            var lines = ["scenario \(name): \(outcomes.count) injects, \(met) expected events met, \(missed) missed, \(refused) commands refused"]
            for outcome in outcomes {
                let when = String(format: "%7.1fs", Double(outcome.offset) / 1000)
                lines.append("\(when)  \((outcome.partner ?? "mission").padding(toLength: 8, withPad: " ", startingAt: 0)) \(outcome.command) → \(outcome.answer)"
                             + (outcome.refusal.map { " (\($0))" } ?? ""))
                for expectation in outcome.expectations {
                    lines.append("            \(expectation.met ? "met   " : "MISSED") \(expectation.event)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    public func run(on connection: BusConnection) async throws -> Report {
        let expected = Set(scenario.injects.flatMap { $0.expect ?? [] }.map(\.event))
        for type in expected { connection.subscribe(type) }
        try await Task.sleep(for: .milliseconds(200))
        let seen = Mutex<[(at: ContinuousClock.Instant, envelope: Envelope)]>([])
        let collector = Task {
            for await message in connection.messages {
                guard let envelope = try? EnvelopeCodec.decode(message.payload) else { continue }
                seen.withLock { $0.append((.now, envelope)) }
            }
        }
        defer { collector.cancel() }

        let started = ContinuousClock.now
        let commands = scenario.commands(start: Date())
        let injects = scenario.injects.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        var sent: [(outcome: Outcome, at: ContinuousClock.Instant, inject: Scenario.Inject)] = []
        var clients: [String: PartnerClient] = [:]
        defer { for client in clients.values { Task { await client.close() } } }
        for ((offset, envelope), inject) in zip(commands, injects) {
            if let due = due(offset, since: started), due > .now { try await Task.sleep(until: due, clock: .continuous) }
            let at = ContinuousClock.now
            var outcome = Outcome(offset: offset, partner: inject.partner, command: inject.command, note: inject.note,
                                  answer: "", refusal: nil, expectations: [])
            do {
                let answer = try await send(envelope, as: inject.partner, on: connection, clients: &clients)
                outcome.answer = answer.type
                if answer.type.hasSuffix(".command.rejected") {
                    let refusal = try? answer.decodeData([String: JSONValue].self)
                    outcome.refusal = refusal?["message"]?.stringValue ?? "refused"
                }
            } catch {
                outcome.answer = "no answer"
                outcome.refusal = "\(error)"
            }
            sent.append((outcome, at, inject))
        }

        // Every expectation gets its full window, and no more.
        let deadline = sent.map { entry in
            entry.at + .milliseconds((entry.inject.expect ?? []).map { ($0.within ?? defaultWithin).milliseconds }.max() ?? 0)
        }.max() ?? .now
        while ContinuousClock.now < deadline, !allMet(sent, seen: seen.withLock { $0 }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let events = seen.withLock { $0 }
        return Report(name: scenario.name, outcomes: sent.map { entry in
            var outcome = entry.outcome
            outcome.expectations = (entry.inject.expect ?? []).map { ($0.event, met($0, after: entry.at, in: events)) }
            return outcome
        })
    }

    /// The command's answer, through the gateway for a partner when a gateway is given.
    private func send(_ command: Envelope, as partner: String?, on connection: BusConnection,
                      clients: inout [String: PartnerClient]) async throws -> Envelope {
        guard let partner, let gateway else { return try await connection.request(command, timeout: answerTimeout) }
        if clients[partner] == nil {
            guard let credentials = scenario.credentials?[partner] else {
                throw ScenarioError("the scenario has no credentials for \(partner) to sign in at the gateway")
            }
            clients[partner] = try await PartnerClient.connect(host: gateway.host, port: gateway.port, credentials: credentials,
                                                               name: "concord-scenario-\(partner)", tls: gatewayTLS)
        }
        var headers = [("Concord-Idempotency-Key", command.idempotencyKey ?? command.id)]
        if let traceparent = command.traceparent { headers.append(("traceparent", traceparent)) }
        if let version = command.dataVersion { headers.append(("Concord-Data-Version", "\(version)")) }
        let answer = try await clients[partner]!.request(command.type, payload: command.data ?? Array("{}".utf8),
                                                         headers: headers, timeout: answerTimeout)
        return try EnvelopeCodec.decode(answer.payload)
    }

    private func due(_ offset: Int64, since started: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        switch speed {
        case .max: nil
        case .original: started + .milliseconds(offset)
        case .factor(let factor): started + .milliseconds(Double(offset) / factor)
        }
    }

    private func met(_ expectation: Scenario.Expectation, after sentAt: ContinuousClock.Instant,
                     in events: [(at: ContinuousClock.Instant, envelope: Envelope)]) -> Bool {
        let window = sentAt + .milliseconds((expectation.within ?? defaultWithin).milliseconds)
        return events.contains { $0.at >= sentAt && $0.at <= window && expectation.matches($0.envelope) }
    }

    private func allMet(_ sent: [(outcome: Outcome, at: ContinuousClock.Instant, inject: Scenario.Inject)],
                        seen events: [(at: ContinuousClock.Instant, envelope: Envelope)]) -> Bool {
        sent.allSatisfy { entry in (entry.inject.expect ?? []).allSatisfy { met($0, after: entry.at, in: events) } }
    }
}
