import Synchronization

/// Sends `total` messages in chunks, keeping at most `window` ahead of what has arrived, and
/// returns the rate at which they arrived (per second, from the first send to the last arrival).
/// Fails with the counts when nothing arrives for `limits.stall` or the bench runs out of time.
func measureRate(total: Int, chunk: Int, window: Int, limits: BenchLimits, what: String,
                 arrivals: some Arrivals, send: @Sendable (Int) async throws -> Void) async throws -> Double {
    let started = ContinuousClock.now
    let deadline = limits.deadline()
    func waitFor(_ target: Int) async throws {
        guard try await arrivals.wait(atLeast: target, deadline: deadline, stall: limits.stall) else {
            throw BenchFailure("\(what): \(arrivals.value) of \(total) arrived (\(max(target, 0)) awaited), then nothing for \(limits.stall) or the bench's \(limits.timeout) ran out")
        }
    }
    var sent = 0
    while sent < total {
        try await waitFor(sent - window + 1)
        let size = min(chunk, total - sent)
        try await send(size)
        sent += size
    }
    try await waitFor(total)
    return Double(arrivals.value) / (ContinuousClock.now - started).seconds
}

/// What a load generator has seen arrive, and a way to wait for more.
protocol Arrivals: Sendable {
    var value: Int { get }
    /// True once at least `target` have arrived; false at `deadline`, or when nothing new
    /// arrived for `stall`.
    func wait(atLeast target: Int, deadline: ContinuousClock.Instant, stall: Duration) async throws -> Bool
}

/// Arrivals read off counters that cannot signal (the slowest of several connections): checked
/// every 200 µs.
struct PolledArrivals: Arrivals {
    let read: @Sendable () -> Int
    var value: Int { read() }

    func wait(atLeast target: Int, deadline: ContinuousClock.Instant, stall: Duration) async throws -> Bool {
        var last = read(), lastChange = ContinuousClock.now
        while last < target {
            let now = ContinuousClock.now
            guard now < deadline, now - lastChange < stall else { return false }
            try await Task.sleep(for: .microseconds(200))
            let current = read()
            if current != last {
                last = current
                lastChange = .now
            }
        }
        return true
    }
}

/// Messages counted by a reading task; the sender waits on the count without polling, so the
/// load generator takes no timer wake-ups from the cores it shares with what it measures.
final class ArrivalCount: Arrivals {
    private struct State {
        var count = 0
        var waiter: (target: Int, continuation: CheckedContinuation<Bool, Never>)?
        var expired = false
    }
    private let state = Mutex(State())
    private let watchdog = Mutex<Task<Void, Never>?>(nil)

    var value: Int { state.withLock { $0.count } }

    func add() {
        let ready = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.count += 1
            guard let waiter = state.waiter, state.count >= waiter.target else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        ready?.resume(returning: true)
    }

    /// One waiter at a time (the sender). One watchdog per count resumes it at the deadline or
    /// when a stall passes without a new arrival: a timer per wait would bring back the
    /// wake-ups this type exists to avoid.
    func wait(atLeast target: Int, deadline: ContinuousClock.Instant, stall: Duration) async throws -> Bool {
        startWatchdog(until: deadline, stall: stall)
        return await withCheckedContinuation { continuation in
            let reached: Bool? = state.withLock { state in
                if state.count >= target { return true }
                if state.expired { return false }
                state.waiter = (target, continuation)
                return nil
            }
            if let reached { continuation.resume(returning: reached) }
        }
    }

    private func startWatchdog(until deadline: ContinuousClock.Instant, stall: Duration) {
        watchdog.withLock { watchdog in
            guard watchdog == nil else { return }
            watchdog = Task { [weak self] in
                var seen = -1, lastChange = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: min(stall / 4, .milliseconds(500)))
                    guard let self else { return }
                    let (count, waiting) = state.withLock { ($0.count, $0.waiter != nil) }
                    let now = ContinuousClock.now
                    if count != seen || !waiting {
                        seen = count
                        lastChange = now
                    }
                    guard now >= deadline || now - lastChange >= stall else { continue }
                    let waiter = state.withLock { state in
                        state.expired = true
                        defer { state.waiter = nil }
                        return state.waiter?.continuation
                    }
                    waiter?.resume(returning: false)
                    return
                }
            }
        }
    }

    deinit { watchdog.withLock { $0?.cancel() } }
}

extension Duration {
    /// This duration in seconds, as a Double.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
