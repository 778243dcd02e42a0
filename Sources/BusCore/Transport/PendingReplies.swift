import Synchronization

/// Calls waiting for an answer by key: request/reply inboxes and catch-up fetches.
/// A reply that arrives before its caller starts waiting is kept for it.
final class PendingReplies<Value: Sendable>: Sendable {
    private enum Slot {
        case registered
        case waiting(CheckedContinuation<Value, any Error>)
        case arrived(Result<Value, any Error>)
    }

    private let slots = Mutex<[String: Slot]>([:])

    /// Reserves `key` before the request leaves, so an early answer is not lost.
    func register(_ key: String) {
        slots.withLock { $0[key] = .registered }
    }

    /// Completes `key` if someone is waiting for it; returns false for an unknown key.
    @discardableResult
    func complete(_ key: String, with result: Result<Value, any Error>) -> Bool {
        let continuation: CheckedContinuation<Value, any Error>?? = slots.withLock { slots in
            switch slots[key] {
            case nil: return .none
            case .registered, .arrived:
                slots[key] = .arrived(result)
                return .some(nil)
            case .waiting(let continuation):
                slots[key] = nil
                return .some(continuation)
            }
        }
        guard let continuation else { return false }
        continuation?.resume(with: result)
        return true
    }

    /// Fails every waiter, e.g. when the connection closes.
    func failAll(_ error: any Error) {
        let waiting = slots.withLock { slots in
            defer { slots.removeAll() }
            return slots.values.compactMap { slot -> CheckedContinuation<Value, any Error>? in
                if case .waiting(let continuation) = slot { return continuation }
                return nil
            }
        }
        waiting.forEach { $0.resume(throwing: error) }
    }

    /// Waits for the answer to a registered key, failing with `timeoutError` after `timeout`.
    func wait(for key: String, timeout: Duration, timeoutError: @autoclosure @escaping @Sendable () -> any Error) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await self.answer(key) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.complete(key, with: .failure(Task.isCancelled ? CancellationError() : timeoutError()))
                return nil
            }
            for try await value in group {
                if let value {
                    group.cancelAll()
                    return value
                }
            }
            throw timeoutError()
        }
    }

    private func answer(_ key: String) async throws -> Value {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = slots.withLock { slots in
                    switch slots[key] {
                    case .arrived(let result):
                        slots[key] = nil
                        return result
                    case nil:
                        return .failure(BusError(.closed, "the connection closed while waiting"))
                    default:
                        slots[key] = .waiting(continuation)
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            self.complete(key, with: .failure(CancellationError()))
        }
    }
}
