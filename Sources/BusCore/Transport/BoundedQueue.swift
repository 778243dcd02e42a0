import DequeModule
import Synchronization

/// A single-consumer async queue with a fixed capacity, filled by a socket owner thread.
///
/// The owner offers only while `hasRoom`, so a slow consumer pushes back onto the socket
/// (and from there onto ZeroMQ's high-water mark) instead of growing memory without bound.
/// Waiting honours task cancellation: the cancelled consumer's `next()` returns nil.
public final class BoundedQueue<Element: Sendable>: AsyncSequence, Sendable {
    private struct State {
        var buffer = Deque<Element>()
        var waiter: CheckedContinuation<Element?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    /// How many elements wait at most.
    public let capacity: Int
    private let onRoom: @Sendable () -> Void

    /// `onRoom` runs when the consumer takes from a full queue, to wake the producer.
    init(capacity: Int, onRoom: @escaping @Sendable () -> Void) {
        self.capacity = capacity
        self.onRoom = onRoom
    }

    /// A queue filled by producers that check for room themselves (`tryOffer`).
    public convenience init(capacity: Int) { self.init(capacity: capacity) {} }

    var hasRoom: Bool { state.withLock { $0.buffer.count < capacity } }

    /// Hands over an element unless the queue is full; false when it was refused.
    public func tryOffer(_ element: Element) -> Bool {
        let (accepted, waiter): (Bool, CheckedContinuation<Element?, Never>?) = state.withLock { state in
            if state.finished || state.buffer.count >= capacity { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.buffer.append(element)
            return (true, nil)
        }
        waiter?.resume(returning: element)
        return accepted
    }

    /// Hands an element to a waiting consumer or buffers it. The producer checks `hasRoom` first.
    func offer(_ element: Element) {
        let waiter: CheckedContinuation<Element?, Never>? = state.withLock { state in
            if state.finished { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// Takes one buffered element without waiting, or nil when none is buffered.
    public func poll() -> Element? {
        let (element, wasFull): (Element?, Bool) = state.withLock { state in
            let wasFull = state.buffer.count >= capacity
            return (state.buffer.popFirst(), wasFull)
        }
        if wasFull && element != nil { onRoom() }
        return element
    }

    /// Takes up to `max` buffered elements without waiting, to process a burst in one go.
    public func drainAvailable(max: Int) -> [Element] {
        let (taken, wasFull): ([Element], Bool) = state.withLock { state in
            let wasFull = state.buffer.count >= capacity
            let count = Swift.min(max, state.buffer.count)
            let taken = Array(state.buffer.prefix(count))
            state.buffer.removeFirst(count)
            return (taken, wasFull)
        }
        if wasFull && !taken.isEmpty { onRoom() }
        return taken
    }

    /// Ends the sequence; with `discardBuffered` what is still buffered is dropped.
    public func finish(discardBuffered: Bool = false) {
        let waiter: CheckedContinuation<Element?, Never>? = state.withLock { state in
            if discardBuffered { state.buffer.removeAll() }
            state.finished = true
            defer { state.waiter = nil }
            return state.buffer.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    func next() async -> Element? {
        let step: Step<Element> = state.withLock { state in
            if let element = state.buffer.popFirst() {
                return .element(element, wasFull: state.buffer.count + 1 >= capacity)
            }
            return state.finished ? .finished : .wait
        }
        switch step {
        case .element(let element, let wasFull):
            if wasFull { onRoom() }
            return element
        case .finished:
            return nil
        case .wait:
            // A cancelled consumer gets nil, as at the end of the sequence: a `for await` over the
            // queue ends instead of waiting for a message that may never come.
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let immediate: Element?? = state.withLock { state in
                        if let element = state.buffer.popFirst() { return .some(element) }
                        if state.finished || Task.isCancelled { return .some(nil) }
                        state.waiter = continuation
                        return .none
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { state in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(returning: nil)
            }
        }
    }

    /// The next element, or nil when none arrives within `timeout` (or the sequence ended): for
    /// waits that must end, in benches and tests.
    public func next(timeout: Duration) async -> Element? {
        // Most calls find an element waiting: take it without starting a timer.
        if let element = poll() { return element }
        return await withTaskGroup(of: Element?.self) { group in
            group.addTask { await self.next() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var found = await group.next() ?? nil
            group.cancelAll()
            // The waiting task may have taken an element just as the timer fired: keep it.
            for await other in group where found == nil { found = other }
            return found
        }
    }

    /// Hands each element to `handle` until it returns false or the sequence ends; stops early,
    /// returning false, when nothing arrives for `stall` or `deadline` passes. One watchdog looks
    /// a few times per stall interval, so reading each element stays as cheap as `next()`.
    public func consume(stall: Duration, deadline: ContinuousClock.Instant,
                        _ handle: @escaping @Sendable (Element) throws -> Bool) async throws -> Bool {
        let progress = ProgressCount()
        return try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask {
                for await element in self {
                    progress.count.add(1, ordering: .relaxed)
                    if try !handle(element) { return true }
                }
                return !Task.isCancelled
            }
            group.addTask {
                var seen = -1, lastChange = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: Swift.min(stall / 4, .milliseconds(250)))
                    let now = ContinuousClock.now, current = progress.count.load(ordering: .relaxed)
                    if current != seen {
                        seen = current
                        lastChange = now
                    }
                    if now - lastChange >= stall || now >= deadline { return false }
                }
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    private enum Step<Value> { case element(Value, wasFull: Bool), finished, wait }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: BoundedQueue
        public mutating func next() async -> Element? { await queue.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }
}

/// A count one task raises and a watchdog reads.
final class ProgressCount: Sendable {
    let count = Atomic<Int>(0)
}
