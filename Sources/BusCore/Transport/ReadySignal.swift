import Synchronization

/// A one-shot signal a long-running part gives when it is ready (or failed to start), for
/// anyone waiting to talk to it: `concord up`'s announcement, tests.
public final class ReadySignal<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting([]))

    public init() {}

    public func succeed(_ value: Value) { settle(.success(value)) }
    public func fail(_ error: any Error) { settle(.failure(error)) }

    private func settle(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        waiters.forEach { $0.resume(with: result) }
    }

    /// Waits for the signal; returns at once if it was already given.
    public func wait() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let done: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let done { continuation.resume(with: done) }
        }
    }
}
