import BusCore
import Foundation

/// One JetStream consumer on one partner's view of a stream: where it has delivered to, what
/// is delivered but not yet acknowledged, and (pull) the requests waiting for messages.
struct FeedConsumer: Sendable {
    struct Key: Hashable, Sendable {
        let partner: String
        let stream: String
        let name: String
    }

    /// A message delivered and not yet acknowledged.
    struct Pending: Sendable {
        var entry: FeedStore.Entry
        var consumerSeq: Int64
        var deliveries: Int
        /// When it is delivered again unless acknowledged; nil while it waits to go out again.
        var deadline: ContinuousClock.Instant?
    }

    /// A pull request (`MSG.NEXT`) waiting for messages.
    struct PullRequest: Sendable {
        let connection: UInt64
        let reply: String
        var remaining: Int
        let deadline: ContinuousClock.Instant?
        let noWait: Bool
        var sent = 0
    }

    let key: Key
    let stream: FeedStream
    var config: ConsumerConfig
    let createdNs: Int64
    var deliveredStream: Int64
    var deliveredConsumer: Int64 = 0
    var floorStream: Int64 = 0
    var floorConsumer: Int64 = 0
    var redelivered: Int64 = 0
    private(set) var pending: [Int64: Pending] = [:]
    /// The pending stream sequences in ascending order (entries no longer pending are dropped
    /// lazily): deliveries come in ascending order, so the lowest is always at the front.
    private(set) var order: [Int64] = []
    private var orderStart = 0
    /// No pending message is due before this; nil when unknown.
    private var nextDue: ContinuousClock.Instant?
    var waiting: [PullRequest] = []
    /// The connection that made an ephemeral consumer, and when it was last active.
    var owner: UInt64?
    var lastActive: ContinuousClock.Instant = .now
    /// Wall-clock nanoseconds of the last delivery and the last acknowledgement, for consumer info.
    var lastDeliveredNs: Int64 = 0
    var lastAckNs: Int64 = 0

    init(key: Key, stream: FeedStream, config: ConsumerConfig, createdNs: Int64, deliveredStream: Int64) {
        self.key = key
        self.stream = stream
        self.config = config
        self.createdNs = createdNs
        self.deliveredStream = deliveredStream
    }

    /// The filter the view is read with: none when it covers the whole stream.
    var filter: String? { config.filterSubject.flatMap { $0 == stream.subject ? nil : $0 } }

    var ackWait: Duration { .nanoseconds(config.ackWait ?? 30_000_000_000) }
    var acks: Bool { config.ackPolicy != ConsumerConfig.AckPolicy.none }

    /// How many new messages may go out before the unacknowledged limit is reached.
    var roomForNew: Int {
        guard acks, let limit = config.maxAckPending else { return Int.max }
        return max(limit - pending.count, 0)
    }

    /// Messages whose ack wait ran out (or that were refused with -NAK), oldest first; marks
    /// those that reached `max_deliver` as done and returns them too.
    mutating func takeDue(now: ContinuousClock.Instant, limit: Int) -> (due: [Int64], exhausted: [Int64]) {
        var due: [Int64] = []
        var exhausted: [Int64] = []
        if let nextDue, now < nextDue { return (due, exhausted) }
        var earliest: ContinuousClock.Instant?
        for seq in order[orderStart...] {
            guard let message = pending[seq] else { continue }
            let deadline = message.deadline ?? now
            guard deadline <= now, due.count < limit else {
                earliest = Swift.min(earliest ?? deadline, deadline)
                continue
            }
            if let maxDeliver = config.maxDeliver, maxDeliver > 0, message.deliveries >= maxDeliver {
                pending[seq] = nil
                exhausted.append(seq)
                continue
            }
            due.append(seq)
        }
        // The due ones go out now and get new deadlines; until the earliest other, nothing is due.
        nextDue = due.isEmpty ? earliest : nil
        if !exhausted.isEmpty { moveFloor() }
        return (due, exhausted)
    }

    /// Records one delivery of `entry`; returns the consumer sequence and the delivery count.
    mutating func noteDelivery(_ entry: FeedStore.Entry, now: ContinuousClock.Instant) -> (consumerSeq: Int64, deliveries: Int) {
        deliveredConsumer += 1
        lastActive = now
        lastDeliveredNs = FeedConsumer.wallClockNs()
        let deliveries = (pending[entry.seq]?.deliveries ?? 0) + 1
        if deliveries > 1 { redelivered += 1 }
        if entry.seq > deliveredStream { deliveredStream = entry.seq }
        if acks {
            if pending[entry.seq] == nil {
                if order.count - orderStart > pending.count * 2 + 64 { compactOrder() }
                order.append(entry.seq)
            }
            pending[entry.seq] = Pending(entry: entry, consumerSeq: deliveredConsumer, deliveries: deliveries, deadline: now + ackWait)
            if let due = nextDue, now + ackWait < due { nextDue = now + ackWait }
        } else {
            moveFloor()
        }
        return (deliveredConsumer, deliveries)
    }

    enum Ack: Sendable, Equatable {
        case ack, nak(delay: Duration?), inProgress, term
    }

    /// Applies an acknowledgement of stream sequence `seq`; false when nothing was pending there.
    @discardableResult
    mutating func apply(_ ack: Ack, seq: Int64, now: ContinuousClock.Instant) -> Bool {
        lastActive = now
        guard pending[seq] != nil else { return false }
        switch ack {
        case .ack, .term:
            lastAckNs = FeedConsumer.wallClockNs()
            if config.ackPolicy == .all {
                for other in Array(pending.keys) where other <= seq { pending[other] = nil }
            } else {
                pending[seq] = nil
            }
            moveFloor()
        case .nak(let delay):
            pending[seq]?.deadline = delay.map { now + $0 } ?? now
            nextDue = nil
        case .inProgress:
            let wait = ackWait
            pending[seq]?.deadline = now + wait
        }
        return true
    }

    /// Messages unacknowledged when the consumer was last written, as it is loaded.
    mutating func restore(_ messages: [Pending]) {
        for message in messages { pending[message.entry.seq] = message }
        order = pending.keys.sorted()
        orderStart = 0
        nextDue = nil
        moveFloor()
    }

    /// A message that will never be delivered (gone from the journal, or no longer releasable):
    /// passed over as if acknowledged.
    mutating func passOver(_ seq: Int64) {
        pending[seq] = nil
        deliveredStream = max(deliveredStream, seq)
        moveFloor()
    }

    private mutating func compactOrder() {
        order = order[orderStart...].filter { pending[$0] != nil }
        orderStart = 0
    }

    static func wallClockNs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000_000) }

    /// The ack floor: everything at or below it is acknowledged.
    mutating func moveFloor() {
        while orderStart < order.count, pending[order[orderStart]] == nil { orderStart += 1 }
        if orderStart > 4_096 { compactOrder() }
        if orderStart < order.count, let message = pending[order[orderStart]] {
            let lowest = order[orderStart]
            floorStream = lowest - 1
            floorConsumer = max(message.consumerSeq - 1, floorConsumer)
        } else {
            floorStream = deliveredStream
            floorConsumer = deliveredConsumer
        }
    }

    /// Drops pull requests from `connection`, or whose wait is over; returns those that expired.
    mutating func expireRequests(now: ContinuousClock.Instant) -> [PullRequest] {
        let expired = waiting.filter { $0.deadline.map { $0 <= now } ?? false }
        waiting.removeAll { $0.deadline.map { $0 <= now } ?? false }
        return expired
    }
}
