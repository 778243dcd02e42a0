import BusCore
import Foundation
import Logging

/// Serves partners' durable feeds: the JetStream API, consumers and their acknowledgements.
///
/// Everything reaches it through one queue (`submit`) and is handled one input at a time by
/// `run()`, the only code that touches its state; each burst of inputs is written to the
/// gateway's database in one transaction, and acknowledgements that asked for an answer are
/// answered once it is committed.
final class FeedEngine: @unchecked Sendable {
    // @unchecked: the mutable state below is read and written only by `run()`'s task; other
    // threads reach the engine through `inbox`, which is thread-safe.
    let configuration: FeedConfiguration
    let store: FeedStore
    let bodies: FeedBodies
    let streams: [String: FeedStream]
    unowned let core: GatewayCore
    let inbox: BoundedQueue<FeedInput>
    var logger: Logger { core.logger }

    var consumers: [FeedConsumer.Key: FeedConsumer] = [:]
    /// Consumers changed in this burst, with the stream sequences whose pending state changed.
    var dirty: [FeedConsumer.Key: Set<Int64>] = [:]
    var deleted: Set<FeedConsumer.Key> = []
    /// Consumers to serve once this burst's acknowledgements are all applied.
    var toServe: Set<FeedConsumer.Key> = []
    /// Answers held until this burst is committed: (connection, bytes).
    var afterCommit: [(UInt64, [UInt8])] = []
    /// Rounds that found the journal not answering, logged at most once a second.
    var unavailable = ThrottledLog()
    /// API calls and errors per partner, for `$JS.API.INFO`.
    var apiCounts: [String: (total: Int, errors: Int)] = [:]

    init(configuration: FeedConfiguration, store: FeedStore, bodies: FeedBodies, core: GatewayCore) throws {
        self.configuration = configuration
        self.store = store
        self.bodies = bodies
        self.core = core
        streams = Dictionary(uniqueKeysWithValues: configuration.streams.map { ($0.name, $0) })
        inbox = BoundedQueue(capacity: configuration.inboxCapacity)
        for consumer in try store.loadConsumers(streams: configuration.streams, now: .now) { consumers[consumer.key] = consumer }
    }

    /// Queues an input; false when the queue is full (the input is dropped and counted).
    @discardableResult
    func submit(_ input: FeedInput) -> Bool {
        if inbox.tryOffer(input) { return true }
        core.metrics.feedInputsDropped.increment()
        return false
    }

    /// Handles inputs until the queue is finished.
    func run() async {
        var iterator = inbox.makeAsyncIterator()
        while let first = await iterator.next() {
            for input in [first] + inbox.drainAvailable(max: 1_023) { await handle(input) }
            let serving = toServe
            toServe.removeAll()
            for key in serving { await serve(key) }
            commit()
        }
    }

    func handle(_ input: FeedInput) async {
        switch input {
        case .call(let call):
            if call.subject.hasPrefix(JetStreamAck.prefix) { await acknowledge(call) } else { await answer(call) }
        case .indexed(let views):
            for key in Array(consumers.keys) where views.contains(.init(stream: key.stream, partner: key.partner)) { await serve(key) }
        case .closed(let connection):
            for key in Array(consumers.keys) {
                consumers[key]?.waiting.removeAll { $0.connection == connection }
                if consumers[key]?.owner == connection { remove(key) }
            }
        case .tick:
            await tick()
        }
    }

    /// Ack waits and pull requests that ran out; ephemeral consumers nobody uses any more.
    func tick() async {
        let now = ContinuousClock.now
        for key in Array(consumers.keys) {
            guard let expired = consumers[key]?.expireRequests(now: now) else { continue }
            for request in expired { sendStatus(timeout: request) }
            // Decided on the stored consumer, without a copy that would outlive this check.
            guard let (unused, wanted) = consumers[key].map({ consumer -> (Bool, Bool) in
                let listened = consumer.config.isPush && !pushTargets(consumer).isEmpty
                let unused = consumer.owner != nil && (consumer.config.isPush ? !listened : consumer.waiting.isEmpty)
                    && now - consumer.lastActive > .nanoseconds(consumer.config.inactiveThreshold ?? 5_000_000_000)
                // A push consumer starts (or resumes) once someone subscribes to its deliver subject.
                let resumes = listened && consumer.roomForNew > 0
                return (unused, resumes || consumer.pending.values.contains { ($0.deadline ?? now) <= now })
            }) else { continue }
            if unused {
                remove(key)
            } else if wanted {
                await serve(key)
            }
        }
    }

    func remove(_ key: FeedConsumer.Key) {
        guard let consumer = consumers.removeValue(forKey: key) else { return }
        dirty[key] = nil
        if consumer.config.isDurable { deleted.insert(key) }
    }

    /// Writes this burst's changes in one transaction, then sends the answers that waited for it.
    func commit() {
        let changed = dirty.compactMap { key, seqs in consumers[key].flatMap { $0.config.isDurable ? ($0, seqs) : nil } }
        let removed = deleted
        dirty.removeAll()
        deleted.removeAll()
        if !changed.isEmpty || !removed.isEmpty {
            do {
                try store.database.write { db in
                    for key in removed { try FeedStore.delete(key, in: db) }
                    for (consumer, seqs) in changed { try FeedStore.save(consumer, changed: seqs, in: db) }
                }
            } catch {
                logger.error("could not save consumer state; unacknowledged messages will come again",
                             metadata: ["gateway.error": "\(error)"])
            }
        }
        let answers = afterCommit
        afterCommit.removeAll()
        for (connection, bytes) in answers { _ = core.send(bytes, to: connection) }
    }

    func markDirty(_ key: FeedConsumer.Key, _ seqs: some Sequence<Int64> = [Int64]()) {
        dirty[key, default: []].formUnion(seqs)
    }
}
