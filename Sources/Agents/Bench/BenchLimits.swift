import BusCore

/// How long a bench may wait: every wait has a deadline, so a lost message, a refused command or
/// a stalled peer ends the bench with the counts so far instead of hanging it.
public struct BenchLimits: Sendable {
    /// The longest the whole bench may take.
    public var timeout: Duration
    /// The longest any wait may see no progress (no message, no answer).
    public var stall: Duration
    /// A fault the bench injects into its own traffic, to show that it notices one.
    public var fault: BenchFault?

    public init(timeout: Duration = .seconds(900), stall: Duration = .seconds(10), fault: BenchFault? = nil) {
        self.timeout = timeout
        self.stall = stall
        self.fault = fault
    }

    /// The moment the whole bench must be over, counted from now.
    func deadline() -> ContinuousClock.Instant { .now + timeout }
}

/// Reads one identity's bus keys and the mission's rights from a key folder (the benches that
/// start `concord up` connect to its bus as the parts and operators it made keys for).
public typealias BenchKeys = @Sendable (_ folder: String, _ identity: String) throws -> BusSecurity

/// A fault a bench injects into its own traffic (`--fault`): the bench must then fail within its
/// limits, naming what it counted. Used by the tests that keep the benches honest.
public enum BenchFault: String, Sendable, CaseIterable {
    /// One message of the measured traffic is never sent.
    case loseOne = "lose-one"
    /// One command is sent so that the service refuses it (a duplicate key).
    case refuseOne = "refuse-one"
}

/// A bench that could not finish: what was counted when it stopped.
public struct BenchFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
