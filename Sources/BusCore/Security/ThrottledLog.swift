import Logging

/// At most one log line a second for an event that an attacker can repeat without end, each
/// line saying how many happened since the last. Owned by one thread.
public struct ThrottledLog {
    private var lastLine: ContinuousClock.Instant?
    private var unlogged = 0

    public init() {}

    /// Counts `count` more; calls `line` with the count since the last line when a second has passed.
    public mutating func record(_ count: Int = 1, _ line: (Int) -> Void) {
        unlogged += count
        guard lastLine.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true else { return }
        line(unlogged)
        lastLine = .now
        unlogged = 0
    }
}
