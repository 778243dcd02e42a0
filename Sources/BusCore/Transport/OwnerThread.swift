import Foundation
import Synchronization

/// Runs a socket set's loop on a dedicated thread (never a Swift concurrency thread, because
/// the loop blocks in `zmq_poll`) and lets async code wait for it to end.
final class OwnerThread: Sendable {
    private enum State {
        case running
        case joining(CheckedContinuation<Void, Never>)
        case ended
    }

    private let state = Mutex(State.running)

    /// Starts `body` on a new thread named `name`.
    init(name: String, body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            markEnded()
        }
        thread.name = name
        thread.start()
    }

    private func markEnded() {
        let joiner: CheckedContinuation<Void, Never>? = state.withLock { state in
            defer { state = .ended }
            if case .joining(let continuation) = state { return continuation }
            return nil
        }
        joiner?.resume()
    }

    /// Returns once the loop has returned.
    func join() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state -> Bool in
                if case .ended = state { return true }
                state = .joining(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }
}
