import BusCore
import Foundation
import NATSProtocol

/// Creating consumers, pull requests and acknowledgements.
extension FeedEngine {
    struct CreateRequest: Decodable {
        var streamName: String?
        var config: ConsumerConfig?
        enum CodingKeys: String, CodingKey { case streamName = "stream_name", config }
    }

    func create(_ call: FeedCall, stream name: String, name subjectName: String?, filter: String?, durable: String?) throws(JetStreamError) -> GoJSON {
        guard let request = try? JSONDecoder().decode(CreateRequest.self, from: Data(call.payload)) else { throw .invalidJSON("") }
        guard var config = request.config else { throw .configRequired }
        guard request.streamName == nil || request.streamName == name else {
            throw JetStreamError(code: 400, errCode: 10056, description: "stream name in subject does not match request")
        }
        let stream = try self.stream(name)
        if let durable {
            guard config.durableName == nil || config.durableName == durable else {
                throw JetStreamError(code: 400, errCode: 10016, description: "consumer name in subject does not match durable name in request")
            }
            config.durableName = durable
        }
        if let subjectName, (config.name ?? subjectName) != subjectName || (config.durableName ?? subjectName) != subjectName {
            throw JetStreamError(code: 400, errCode: 10016, description: "consumer name in subject does not match durable name in request")
        }
        if let filter, config.filterSubject != filter {
            throw JetStreamError(code: 400, errCode: 10136, description: "consumer create request did not match filtered subject from create subject")
        }
        config = try config.normalized(maxAckPendingLimit: configuration.maxAckPendingLimit)
        if let filterSubject = config.filterSubject, !stream.covers(filterSubject) || !Subject.isValid(filterSubject, wildcards: true) {
            throw .filterNotSubset
        }
        let consumerName = config.durableName ?? config.name ?? subjectName ?? Self.ephemeralName()
        guard consumerName.allSatisfy({ !" .*>\t\r\n".contains($0) }), !consumerName.isEmpty else {
            throw JetStreamError(code: 400, errCode: 10103, description: "durable name can not contain '.', '*', '>'")
        }
        let key = FeedConsumer.Key(partner: call.partner, stream: name, name: consumerName)
        if let existing = consumers[key] {
            guard existing.config == config else { throw .consumerNameExists }
            return .object([("type", .string(JetStreamRequest.durableCreate(stream: name, durable: consumerName).responseType))]
                           + consumerInfo(existing))
        }
        guard consumers(of: call.partner).count < configuration.maxConsumersPerPartner else { throw .maximumConsumers }
        let start: Int64
        do {
            start = switch config.deliverPolicy ?? .all {
            case .all: 0
            case .new: try store.lastSeq(stream: name, partner: call.partner)
            case .last, .lastPerSubject: try store.startBefore(stream: name, partner: call.partner, timeNs: nil, filter: config.filterSubject)
            case .byStartSequence: (config.optStartSeq ?? 1) - 1
            case .byStartTime:
                try store.startBefore(stream: name, partner: call.partner,
                                      timeNs: config.optStartTime.flatMap(ConsumerConfig.nanoseconds(ofRFC3339:)), filter: config.filterSubject)
            }
        } catch {
            throw .createFailed("\(error)")
        }
        var consumer = FeedConsumer(key: key, stream: stream, config: config, createdNs: Self.nowNs(), deliveredStream: start)
        consumer.floorStream = start
        if !config.isDurable { consumer.owner = call.connection }
        consumers[key] = consumer
        markDirty(key)
        // A push consumer whose deliver subject is already listened to starts at once.
        if config.isPush { toServe.insert(key) }
        return .object([("type", .string(JetStreamRequest.durableCreate(stream: name, durable: consumerName).responseType))]
                       + consumerInfo(consumer))
    }

    /// `MSG.NEXT`: a pull request for up to `batch` messages, waiting up to `expires`, or
    /// answered at once with `no_wait`. A consumer that does not exist gets no answer, as with
    /// nats-server.
    func pull(_ call: FeedCall, key: FeedConsumer.Key) async {
        struct Next: Decodable {
            var batch: Int?
            var expires: Int64?
            var noWait: Bool?
            enum CodingKeys: String, CodingKey { case batch, expires, noWait = "no_wait" }
        }
        guard consumers[key]?.config.isPush == false, let reply = call.replyTo else {
            core.metrics.feedRequestsRefused.increment()
            return
        }
        let text = String(decoding: call.payload, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        let next = Int(text).map { Next(batch: $0) } ?? (text.isEmpty ? Next(batch: 1) : try? JSONDecoder().decode(Next.self, from: Data(call.payload)))
        guard let next else {
            core.metrics.feedRequestsRefused.increment()
            return
        }
        let now = ContinuousClock.now
        let request = FeedConsumer.PullRequest(connection: call.connection, reply: reply, remaining: min(max(next.batch ?? 1, 1), Self.maxBatch),
                                               deadline: next.expires.flatMap { $0 > 0 ? now + .nanoseconds($0) : nil },
                                               noWait: next.noWait ?? false)
        guard let waiting = consumers[key]?.waiting.count, waiting < (consumers[key]?.config.maxWaiting ?? 512) else {
            var bytes: [UInt8] = []
            for sid in core.sids(of: call.connection, matching: reply) {
                ServerEncoder.headerMessage(into: &bytes, subject: reply, sid: sid, replyTo: "",
                                            headers: ServerEncoder.headers(status: "409 Exceeded MaxWaiting"), payload: [])
            }
            _ = core.send(bytes, to: call.connection)
            return
        }
        consumers[key]?.waiting.append(request)
        consumers[key]?.lastActive = now
        await serve(key)
    }

    /// An acknowledgement from the partner that holds the consumer; with a reply subject it is
    /// answered once it is written down.
    func acknowledge(_ call: FeedCall) async {
        guard let ack = JetStreamAck(subject: call.subject, payload: call.payload) else {
            core.metrics.feedRequestsRefused.increment()
            return
        }
        let key = FeedConsumer.Key(partner: call.partner, stream: ack.stream, name: ack.consumer)
        // Changed in place: a copy would copy its whole pending set, for every acknowledgement.
        guard let applied = consumers[key]?.apply(ack.kind, seq: ack.streamSeq, now: .now),
              let serving = consumers[key].map({ consumer in
                  // A push consumer is refilled once a round's worth of room is free (or all of
                  // it), not a few messages per acknowledgement.
                  consumer.config.isPush ? consumer.roomForNew >= min(Self.roundSize, consumer.config.maxAckPending ?? 1) || consumer.pending.isEmpty
                                         : !consumer.waiting.isEmpty
              }) else { return }
        if applied { markDirty(key, [ack.streamSeq]) }
        if ack.next, let reply = call.replyTo {
            await pull(FeedCall(connection: call.connection, partner: call.partner, subject: call.subject, replyTo: reply, payload: []), key: key)
            return
        }
        if let reply = call.replyTo {
            var bytes: [UInt8] = []
            for sid in core.sids(of: call.connection, matching: reply) {
                ServerEncoder.message(into: &bytes, subject: reply, sid: sid, replyTo: "", payload: [])
            }
            afterCommit.append((call.connection, bytes))
        }
        if serving { toServe.insert(key) }
    }

    /// STREAM.MSG.GET: one message of the partner's view, by sequence or the last on a subject.
    func message(in stream: FeedStream, partner: String, request payload: [UInt8]) async -> Result<GoJSON, JetStreamError> {
        struct Get: Decodable {
            var seq: Int64?
            var lastBySubject: String?
            enum CodingKeys: String, CodingKey { case seq, lastBySubject = "last_by_subj" }
        }
        guard let get = try? JSONDecoder().decode(Get.self, from: Data(payload)) else { return .failure(.invalidJSON("")) }
        let entry: FeedStore.Entry?
        if let seq = get.seq {
            entry = (try? store.entries(stream: stream.name, partner: partner, after: seq - 1, filter: nil, limit: 1))?.first
                .flatMap { $0.seq == seq ? $0 : nil }
        } else if let subject = get.lastBySubject {
            let before = (try? store.startBefore(stream: stream.name, partner: partner, timeNs: nil, filter: subject)) ?? 0
            entry = (try? store.entries(stream: stream.name, partner: partner, after: before, filter: subject, limit: 1))?.first
        } else {
            return .failure(.badRequest)
        }
        guard let entry, let body = await bodies.bodies(source: stream.source, seqs: [entry.sourceSeq], bus: core.bus)[entry.sourceSeq],
              let partner = core.directory.entry(partner), mayReceive(body, subject: entry.subject, partner: partner) else {
            return .failure(.noMessage)
        }
        return .success(.object([
            ("type", .string(JetStreamRequest.streamMessageGet(stream: stream.name).responseType)),
            ("message", .object([("subject", .string(entry.subject)), ("seq", .integer(entry.seq)),
                                 ("data", .string(Data(body).base64EncodedString())), ("time", .time(nanoseconds: entry.timeNs))])),
        ]))
    }

    /// Eight letters and digits, as nats-server names ephemeral consumers.
    static func ephemeralName() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<8).map { _ in alphabet.randomElement()! })
    }

    /// The most messages one pull request may ask for: with `max_waiting` requests waiting, their
    /// sum stays far from overflowing (a partner asking for Int.max twice once stopped the gateway).
    static let maxBatch = 1_000_000

    static func nowNs() -> Int64 { FeedConsumer.wallClockNs() }
}
