import Synchronization

/// How many messages may wait between a sender and ZeroMQ, and a waiter for room.
final class RoomSignal: Sendable {
    private struct State {
        var used = 0
        var waiter: CheckedContinuation<Void, any Error>?
        var closed = false
    }

    private let state = Mutex(State())
    private let window: Int

    init(window: Int) { self.window = max(window, 1) }

    /// Takes one place, waiting while the window is full.
    func reserve() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if state.closed { return .failure(BusError(.closed, "the replay link was closed")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.used < window {
                        state.used += 1
                        return .success(())
                    }
                    state.waiter = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Gives back `count` places (on the owner thread, as ZeroMQ takes messages); a waiter
    /// resumes once half the window is free, so it is woken once per half window, not per message.
    func release(_ count: Int) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            state.used -= count
            guard let waiter = state.waiter, state.used <= window / 2 else { return nil }
            state.waiter = nil
            state.used += 1
            return waiter
        }
        waiter?.resume()
    }

    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: BusError(.closed, "the replay link was closed"))
    }
}
