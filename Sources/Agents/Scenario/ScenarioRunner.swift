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
        for ((offset, envelope), inject) in zip(commands, injects) {
            if let due = due(offset, since: started), due > .now { try await Task.sleep(until: due, clock: .continuous) }
            let at = ContinuousClock.now
            var outcome = Outcome(offset: offset, partner: inject.partner, command: inject.command, note: inject.note,
                                  answer: "", refusal: nil, expectations: [])
            do {
                let answer = try await connection.request(envelope, timeout: answerTimeout)
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
