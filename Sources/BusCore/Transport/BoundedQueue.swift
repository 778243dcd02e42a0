import DequeModule
import Synchronization

/// A single-consumer async queue with a fixed capacity, filled by a socket owner thread.
///
/// The owner offers only while `hasRoom`, so a slow consumer pushes back onto the socket
/// (and from there onto ZeroMQ's high-water mark) instead of growing memory without bound.
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

    var hasRoom: Bool { state.withLock { $0.buffer.count < capacity } }

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
    func finish(discardBuffered: Bool = false) {
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
            return await withCheckedContinuation { continuation in
                let immediate: Element?? = state.withLock { state in
                    if let element = state.buffer.popFirst() { return .some(element) }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        }
    }

    private enum Step<Value> { case element(Value, wasFull: Bool), finished, wait }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: BoundedQueue
        public mutating func next() async -> Element? { await queue.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }
}
