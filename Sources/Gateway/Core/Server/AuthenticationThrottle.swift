import Synchronization

/// Slows and then stops guessing, per remote address. Each address has a failure score that
/// rises by one with each failed sign-in and drains at `blockAfter` per `window`. Past a few
/// failures each answer is held back (250 ms more each, at most 1.5 s, under a stock client's
/// connect timeout); at `blockAfter` the address is blocked until one failure's worth has
/// drained (so on average at most `blockAfter` guesses per `window` are ever checked): while blocked, every sign-in from it fails without its credential being checked, so
/// opening connections in parallel gains an attacker nothing. A success does not lower the
/// score (one valid credential must not reset the guessing of another). Memory is bounded: at
/// most `maxAddresses` are tracked; beyond that, drained ones are pruned and the rest share one
/// entry.
public final class AuthenticationThrottle: Sendable {
    public struct Limits: Sendable {
        public var blockAfter = 10
        public var window: Duration = .seconds(60)
        public var maxAddresses = 10_000
        public init() {}
    }

    private struct Record {
        var score: Double
        var last: ContinuousClock.Instant
    }

    /// The entry shared by addresses beyond `maxAddresses`.
    static let overflow = "*"

    let limits: Limits
    private let records = Mutex<[String: Record]>([:])

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether a sign-in from `address` is checked at all.
    func admits(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        records.withLock { records in
            guard let record = records[key(address, in: records)] else { return true }
            // The `blockAfter`-th failure in quick succession blocks; one failure's worth of
            // draining lets the address try again.
            return drained(record, to: now) <= Double(limits.blockAfter - 1)
        }
    }

    /// Records a failure; returns how long to hold back its answer.
    func failed(_ address: String, now: ContinuousClock.Instant = .now) -> Duration {
        records.withLock { records in
            if records[address] == nil, records.count >= limits.maxAddresses {
                records = records.filter { drained($0.value, to: now) > 0 }
            }
            let key = key(address, in: records)
            let previous = records[key].map { drained($0, to: now) } ?? 0
            // Capped, so a blocked address is released within two windows of its last failure.
            let score = min(previous + 1, Double(2 * limits.blockAfter))
            records[key] = Record(score: score, last: now)
            return .milliseconds(min(max(Int(score.rounded(.up)) - 3, 0) * 250, 1_500))
        }
    }

    /// How many addresses are tracked (bounded by `maxAddresses` plus the shared entry).
    var tracked: Int { records.withLock { $0.count } }

    /// The score left at `now`, drained at `blockAfter` per `window` since the last failure.
    private func drained(_ record: Record, to now: ContinuousClock.Instant) -> Double {
        let rate = Double(limits.blockAfter) / (Double(limits.window.components.seconds) + Double(limits.window.components.attoseconds) / 1e18)
        let elapsed = now - record.last
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return max(record.score - seconds * rate, 0)
    }

    private func key(_ address: String, in records: [String: Record]) -> String {
        records[address] != nil || records.count < limits.maxAddresses ? address : Self.overflow
    }
}
