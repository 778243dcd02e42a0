import Synchronization

/// Commands for a socket owner thread: any thread posts, the owner drains after a wake-up.
final class Mailbox<Command: Sendable>: Sendable {
    private let queue = Mutex<[Command]>([])
    let signal: WakeSignal

    init() throws { signal = try WakeSignal() }

    /// Queues a command and wakes the owner if it may be asleep in poll.
    func post(_ command: Command) {
        let wasEmpty = queue.withLock { queue in
            queue.append(command)
            return queue.count == 1
        }
        // A non-empty queue means a wake is already pending, so one syscall per burst is enough.
        if wasEmpty { signal.wake() }
    }

    /// Commands waiting for the owner.
    var count: Int { queue.withLock { $0.count } }

    /// Takes every queued command, oldest first. Called on the owner thread only.
    func drain() -> [Command] {
        signal.reset()
        return queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }
}
