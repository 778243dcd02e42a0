import Synchronization

/// Sends `total` messages in chunks, keeping at most `window` ahead of what has arrived, and
/// returns the rate at which they arrived (per second).
func measureRate(total: Int, chunk: Int, window: Int, timeout: Duration = .seconds(120),
                 arrived: @escaping @Sendable () -> Int, send: @Sendable (Int) async throws -> Void) async throws -> Double {
    try await measureRate(total: total, chunk: chunk, window: window, timeout: timeout, arrivals: PolledArrivals(read: arrived), send: send)
}

func measureRate(total: Int, chunk: Int, window: Int, timeout: Duration = .seconds(120),
                 arrivals: some Arrivals, send: @Sendable (Int) async throws -> Void) async throws -> Double {
    let started = ContinuousClock.now
    let deadline = started + timeout
    func waitFor(_ target: Int) async throws {
        guard try await arrivals.wait(atLeast: target, deadline: deadline) else {
            throw LoadError("timed out after \(arrivals.value) of \(total)")
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
    let elapsed = ContinuousClock.now - started
    return Double(arrivals.value) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// What a load generator has seen arrive, and a way to wait for more.
protocol Arrivals: Sendable {
    var value: Int { get }
    /// True once at least `target` have arrived; false at `deadline`.
    func wait(atLeast target: Int, deadline: ContinuousClock.Instant) async throws -> Bool
}

/// Arrivals read off counters that cannot signal (the slowest of several connections): checked
/// every 200 µs.
struct PolledArrivals: Arrivals {
    let read: @Sendable () -> Int
    var value: Int { read() }

    func wait(atLeast target: Int, deadline: ContinuousClock.Instant) async throws -> Bool {
        while read() < target {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .microseconds(200))
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

    /// One waiter at a time (the sender). One watchdog per count resumes it at the deadline:
    /// a timer per wait would bring back the wake-ups this type exists to avoid.
    func wait(atLeast target: Int, deadline: ContinuousClock.Instant) async throws -> Bool {
        startWatchdog(until: deadline)
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

    private func startWatchdog(until deadline: ContinuousClock.Instant) {
        watchdog.withLock { watchdog in
            guard watchdog == nil else { return }
            watchdog = Task { [weak self] in
                try? await Task.sleep(until: deadline)
                guard !Task.isCancelled, let self else { return }
                let waiter = state.withLock { state in
                    state.expired = true
                    defer { state.waiter = nil }
                    return state.waiter?.continuation
                }
                waiter?.resume(returning: false)
            }
        }
    }

    deinit { watchdog.withLock { $0?.cancel() } }
}
