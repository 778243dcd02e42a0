import Synchronization

/// Slows and then stops guessing, per remote address. Each failed sign-in is answered later than
/// the one before (250 ms more each, at most 5 s). After `blockAfter` failures within `window`,
/// the address is blocked until `window` has passed since its last failure: while blocked,
/// every sign-in from it fails without its credential being checked, so opening connections
/// in parallel gains an attacker nothing. A success does not clear the count (one valid
/// credential must not reset the guessing of another). Memory is bounded: at most `maxAddresses`
/// are tracked; beyond that, stale ones are pruned and the rest share one entry.
public final class AuthenticationThrottle: Sendable {
    public struct Limits: Sendable {
        public var blockAfter = 10
        public var window: Duration = .seconds(60)
        public var maxAddresses = 10_000
        public init() {}
    }

    private struct Record {
        var failures: Int
        var last: ContinuousClock.Instant
    }

    /// The entry shared by addresses beyond `maxAddresses`.
    static let overflow = "*"

    let limits: Limits
    private let records = Mutex<[String: Record]>([:])

    init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether a sign-in from `address` is checked at all.
    func admits(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        records.withLock { records in
            guard let record = records[key(address, in: records)], now - record.last < limits.window else { return true }
            return record.failures < limits.blockAfter
        }
    }

    /// Records a failure; returns how long to hold back its answer.
    func failed(_ address: String, now: ContinuousClock.Instant = .now) -> Duration {
        records.withLock { records in
            if records[address] == nil, records.count >= limits.maxAddresses {
                records = records.filter { now - $0.value.last < limits.window }
            }
            let key = key(address, in: records)
            var record = records[key] ?? Record(failures: 0, last: now)
            if now - record.last >= limits.window { record.failures = 0 }
            record.failures += 1
            record.last = now
            records[key] = record
            return .milliseconds(min((record.failures - 1) * 250, 5_000))
        }
    }

    /// How many addresses are tracked (bounded by `maxAddresses` plus the shared entry).
    var tracked: Int { records.withLock { $0.count } }

    private func key(_ address: String, in records: [String: Record]) -> String {
        records[address] != nil || records.count < limits.maxAddresses ? address : Self.overflow
    }
}
