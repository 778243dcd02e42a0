import Synchronization

/// A one-shot signal a long-running part gives when it is ready (or failed to start), for
/// anyone waiting to talk to it: `concord up`'s announcement, tests.
public final class ReadySignal<Value: Sendable>: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Value, any Error>], next: Int)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting([:], next: 0))

    public init() {}

    public func succeed(_ value: Value) { settle(.success(value)) }

    /// Whether the part has said it is ready (and not that it failed).
    public var isReady: Bool {
        state.withLock { state in
            if case .done(.success) = state { return true }
            return false
        }
    }
    public func fail(_ error: any Error) { settle(.failure(error)) }

    private func settle(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters, _) = state else { return [] }
            state = .done(result)
            return Array(waiters.values)
        }
        waiters.forEach { $0.resume(with: result) }
    }

    /// Waits for the signal; returns at once if it was already given. A cancelled waiter throws
    /// `CancellationError`, so a part that never becomes ready cannot hold up a shutdown.
    public func wait() async throws -> Value {
        let ticket: Int = state.withLock { state in
            guard case .waiting(let waiters, let next) = state else { return -1 }
            state = .waiting(waiters, next: next + 1)
            return next
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let done: Result<Value, any Error>? = state.withLock { state in
                    switch state {
                    case .waiting(var waiters, let next):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[ticket] = continuation
                        state = .waiting(waiters, next: next)
                        return nil
                    case .done(let result):
                        return result
                    }
                }
                if let done { continuation.resume(with: done) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Value, any Error>? = state.withLock { state in
                guard case .waiting(var waiters, let next) = state else { return nil }
                defer { state = .waiting(waiters, next: next) }
                return waiters.removeValue(forKey: ticket)
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
