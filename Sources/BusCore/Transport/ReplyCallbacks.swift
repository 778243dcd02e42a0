import Synchronization

/// Requests answered by callback rather than by a suspended task: the owner thread calls the
/// callback with the reply as soon as it reads it.
final class ReplyCallbacks: Sendable {
    private let waiting = Mutex<[String: @Sendable (BusMessage) -> Void]>([:])

    func expect(_ inbox: String, _ callback: @escaping @Sendable (BusMessage) -> Void) {
        waiting.withLock { $0[inbox] = callback }
    }

    func answer(_ message: BusMessage) {
        waiting.withLock { $0.removeValue(forKey: message.topic) }?(message)
    }

    func cancel(_ inbox: String) -> Bool { waiting.withLock { $0.removeValue(forKey: inbox) } != nil }

    func cancelAll() { waiting.withLock { $0.removeAll() } }
}
