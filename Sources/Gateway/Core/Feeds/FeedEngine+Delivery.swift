import BusCore
import NATSProtocol

/// Delivery: messages go to a pull consumer's waiting requests or a push consumer's deliver
/// subject, each with its ack subject; releasability is checked again on the way out.
extension FeedEngine {
    /// Most messages one round hands out; a push consumer gets a few rounds per input, so one
    /// consumer cannot hold the engine.
    static let roundSize = 512
    static let pushRounds = 16

    func serve(_ key: FeedConsumer.Key) async {
        for _ in 0..<(consumers[key]?.config.isPush == true ? Self.pushRounds : 64) {
            guard await serveRound(key) else { break }
        }
        finishNoWait(key)
    }

    /// One batch to the consumer's receivers; false when nothing more can go out now.
    private func serveRound(_ key: FeedConsumer.Key) async -> Bool {
        guard let partner = core.directory.entry(key.partner), var consumer = consumers.removeValue(forKey: key) else { return false }
        // Worked on outside the table, so its pending set is changed in place, and put back.
        defer { consumers[key] = consumer }
        let now = ContinuousClock.now
        let targets = consumer.config.isPush ? pushTargets(consumer) : []
        let capacity = consumer.config.isPush ? (targets.isEmpty ? 0 : Self.roundSize)
                                              : min(consumer.waiting.reduce(0) { $0 + $1.remaining }, Self.roundSize)
        guard capacity > 0 else { return false }
        let (due, exhausted) = consumer.takeDue(now: now, limit: capacity)
        markDirty(key, exhausted)
        var batch = due.compactMap { consumer.pending[$0]?.entry }
        let room = min(capacity - batch.count, consumer.roomForNew)
        var fresh: [FeedStore.Entry] = []
        if room > 0 {
            fresh = (try? store.entries(stream: key.stream, partner: key.partner, after: consumer.deliveredStream,
                                        filter: consumer.filter, limit: room)) ?? []
        }
        batch += fresh
        guard !batch.isEmpty else { return false }
        let found = await bodies.bodies(source: consumer.stream.source, seqs: batch.map(\.sourceSeq), bus: core.bus)
        let startedAt = consumer.deliveredStream
        let tail = remaining(after: fresh.last?.seq ?? startedAt, consumer)
        var freshLeft = Int64(fresh.count)
        var sids: [String: [String]] = [:]
        var outgoing: [UInt64: [UInt8]] = [:]
        var stalled = false
        for entry in batch {
            if entry.seq > startedAt { freshLeft -= 1 }
            // What the client reads as "pending": messages of the consumer not delivered yet.
            let remaining = tail + freshLeft
            guard let body = found[entry.sourceSeq] else {
                // The journal did not answer (its service is restarting, say): this message and
                // those after it wait for the next try, in order; nothing is passed over.
                unavailable.record { [logger] count in
                    logger.info("feed bodies unavailable; delivery resumes when the journal answers",
                                metadata: ["gateway.stream": "\(key.stream)", "gateway.times": "\(count)"])
                }
                stalled = true
                break
            }
            guard mayReceive(body, subject: entry.subject, partner: partner) else {
                // No longer releasable to this partner: never delivered, passed over.
                core.metrics.withheld.increment()
                consumer.passOver(entry.seq)
                markDirty(key, [entry.seq])
                continue
            }
            guard let receiver = nextReceiver(&consumer, targets: targets, sids: &sids) else { break }
            let (consumerSeq, deliveries) = consumer.noteDelivery(entry, now: now)
            markDirty(key, [entry.seq])
            let ack = "\(JetStreamAck.prefix)\(key.stream).\(key.name).\(deliveries).\(entry.seq).\(consumerSeq).\(entry.timeNs).\(remaining)"
            for (connection, sid) in receiver {
                ServerEncoder.message(into: &outgoing[connection, default: []], subject: entry.subject, sid: sid, replyTo: ack, payload: body)
            }
            core.metrics.feedDelivered.increment()
        }
        for (connection, bytes) in outgoing { _ = core.send(bytes, to: connection) }
        return !stalled
    }

    /// Where the next message goes: the push consumer's subscribers, or the oldest waiting
    /// pull request (dropped when its connection no longer listens on its reply subject).
    private func nextReceiver(_ consumer: inout FeedConsumer, targets: [(UInt64, String)],
                              sids known: inout [String: [String]]) -> [(UInt64, String)]? {
        if consumer.config.isPush { return targets }
        while let request = consumer.waiting.first {
            let cacheKey = "\(request.connection) \(request.reply)"
            let sids = known[cacheKey] ?? core.sids(of: request.connection, matching: request.reply)
            known[cacheKey] = sids
            guard !sids.isEmpty else {
                consumer.waiting.removeFirst()
                continue
            }
            consumer.waiting[0].remaining -= 1
            consumer.waiting[0].sent += 1
            if consumer.waiting[0].remaining == 0 { consumer.waiting.removeFirst() }
            return sids.map { (request.connection, $0) }
        }
        return nil
    }

    /// Messages of the consumer's view after `seq`: counted only under a filter, since a whole
    /// view is numbered densely.
    func remaining(after seq: Int64, _ consumer: FeedConsumer) -> Int64 {
        guard let filter = consumer.filter else {
            return max(((try? store.lastSeq(stream: consumer.key.stream, partner: consumer.key.partner)) ?? seq) - seq, 0)
        }
        return (try? store.count(stream: consumer.key.stream, partner: consumer.key.partner, after: seq, filter: filter)) ?? 0
    }

    /// The label check of the live feed, made again at delivery: the partner's clearance or
    /// permissions may have changed since the event was indexed.
    func mayReceive(_ body: [UInt8], subject: String, partner: PartnerDirectory.Entry) -> Bool {
        guard let label = EnvelopeCodec.label(of: body) else { return false }
        return Releasability.allows(classification: label.classification, releasableTo: label.releasableTo, partner: partner.code,
                                    clearance: partner.clearance)
            && partner.subscribe.contains { Subject.matches(subject, pattern: $0) }
    }

    /// A push consumer's receivers: the same partner's subscriptions on its deliver subject,
    /// one member of its deliver group.
    func pushTargets(_ consumer: FeedConsumer) -> [(UInt64, String)] {
        guard let subject = consumer.config.deliverSubject else { return [] }
        let subscriptions = core.table.matches(subject).filter { $0.partner == consumer.key.partner }
        if let group = consumer.config.deliverGroup {
            return subscriptions.filter { $0.queue == group }.randomElement().map { [($0.connection, $0.sid)] } ?? []
        }
        return subscriptions.filter { $0.queue == nil }.map { ($0.connection, $0.sid) }
    }

    /// Pull requests with `no_wait` get their answer once nothing more can go out: 404 when they
    /// got nothing, 408 with what is left of their batch otherwise (as nats-server 2.9 answers).
    func finishNoWait(_ key: FeedConsumer.Key) {
        guard let finished = consumers[key]?.waiting.filter(\.noWait), !finished.isEmpty else { return }
        consumers[key]?.waiting.removeAll(where: \.noWait)
        for request in finished {
            if request.sent == 0 { sendStatus(request, "404 No Messages", []) } else { sendStatus(timeout: request) }
        }
    }

    func sendStatus(timeout request: FeedConsumer.PullRequest) {
        sendStatus(request, "408 Request Timeout", [("Nats-Pending-Messages", "\(request.remaining)"), ("Nats-Pending-Bytes", "0")])
    }

    private func sendStatus(_ request: FeedConsumer.PullRequest, _ status: String, _ fields: [(String, String)]) {
        var bytes: [UInt8] = []
        for sid in core.sids(of: request.connection, matching: request.reply) {
            ServerEncoder.headerMessage(into: &bytes, subject: request.reply, sid: sid, replyTo: "",
                                        headers: ServerEncoder.headers(status: status, fields), payload: [])
        }
        if !bytes.isEmpty { _ = core.send(bytes, to: request.connection) }
    }
}
