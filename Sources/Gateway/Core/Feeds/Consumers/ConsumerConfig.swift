import Foundation

/// A consumer's configuration as JetStream clients send it: the subset Concord's feeds serve.
/// Fields Concord does not act on (rate limits, sampling, flow control, …) are accepted and left
/// out of answers, as a server that does not know them would.
struct ConsumerConfig: Sendable, Equatable, Codable {
    enum DeliverPolicy: String, Sendable, Codable {
        case all, new, last
        case byStartSequence = "by_start_sequence"
        case byStartTime = "by_start_time"
        case lastPerSubject = "last_per_subject"
    }

    enum AckPolicy: String, Sendable, Codable {
        case none, all, explicit
    }

    var durableName: String?
    var name: String?
    var description: String?
    var deliverPolicy: DeliverPolicy?
    var optStartSeq: Int64?
    var optStartTime: String?
    var ackPolicy: AckPolicy?
    /// Nanoseconds, as JetStream's API counts durations.
    var ackWait: Int64?
    var maxDeliver: Int?
    var filterSubject: String?
    var replayPolicy: String?
    var maxWaiting: Int?
    var maxAckPending: Int?
    var deliverSubject: String?
    var deliverGroup: String?
    var inactiveThreshold: Int64?

    enum CodingKeys: String, CodingKey {
        case durableName = "durable_name", name, description, deliverPolicy = "deliver_policy", optStartSeq = "opt_start_seq"
        case optStartTime = "opt_start_time", ackPolicy = "ack_policy", ackWait = "ack_wait", maxDeliver = "max_deliver"
        case filterSubject = "filter_subject", replayPolicy = "replay_policy", maxWaiting = "max_waiting"
        case maxAckPending = "max_ack_pending", deliverSubject = "deliver_subject", deliverGroup = "deliver_group"
        case inactiveThreshold = "inactive_threshold"
    }

    var isPush: Bool { !(deliverSubject ?? "").isEmpty }
    var isDurable: Bool { !(durableName ?? "").isEmpty }

    /// The configuration with nats-server's defaults filled in, or the error it gives.
    func normalized(maxAckPendingLimit: Int) throws(JetStreamError) -> ConsumerConfig {
        var config = self
        config.deliverPolicy = deliverPolicy ?? .all
        config.ackPolicy = ackPolicy ?? AckPolicy.none
        config.replayPolicy = replayPolicy ?? "instant"
        config.maxDeliver = (maxDeliver ?? 0) == 0 ? -1 : maxDeliver
        if filterSubject == "" || filterSubject == ">" { config.filterSubject = nil }
        if config.ackPolicy != AckPolicy.none {
            config.ackWait = (ackWait ?? 0) > 0 ? ackWait : 30_000_000_000
            config.maxAckPending = (maxAckPending ?? 0) > 0 ? maxAckPending : min(1_000, maxAckPendingLimit)
        } else {
            config.ackWait = nil
            config.maxAckPending = nil
        }
        if let pending = config.maxAckPending, pending > maxAckPendingLimit { throw .maxAckPendingExcess(maxAckPendingLimit) }
        if config.isPush {
            config.maxWaiting = nil
        } else {
            config.maxWaiting = (maxWaiting ?? 0) > 0 ? maxWaiting : 512
            config.deliverGroup = nil
        }
        if !config.isDurable && (config.inactiveThreshold ?? 0) <= 0 { config.inactiveThreshold = 5_000_000_000 }
        switch config.deliverPolicy! {
        case .byStartSequence:
            guard (optStartSeq ?? 0) > 0 else {
                throw .invalidPolicy("consumer delivery policy is deliver by start sequence, but optional start sequence is not set")
            }
        case .byStartTime:
            guard let optStartTime, Self.nanoseconds(ofRFC3339: optStartTime) != nil else {
                throw .invalidPolicy("consumer delivery policy is deliver by start time, but optional start time is not set")
            }
        case .lastPerSubject:
            throw .invalidPolicy("consumer delivery policy last per subject is not supported by Concord's streams")
        default:
            guard optStartSeq == nil, optStartTime == nil else {
                throw .invalidPolicy("consumer delivery policy is \(config.deliverPolicy!.rawValue), optional start sequence or time are not allowed")
            }
        }
        return config
    }

    /// Nanoseconds since 1970 of an RFC 3339 time with up to nine fraction digits.
    static func nanoseconds(ofRFC3339 text: String) -> Int64? {
        var whole = text
        var fraction: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let end = text[dot...].firstIndex { $0 == "Z" || $0 == "+" || $0 == "-" } ?? text.endIndex
            let digits = String(text[text.index(after: dot)..<end].prefix(9))
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            fraction = value * Int64(pow(10.0, Double(9 - digits.count)))
            whole = String(text[..<dot]) + String(text[end...])
        }
        guard let date = ISO8601DateFormatter().date(from: whole) else { return nil }
        return Int64(date.timeIntervalSince1970) * 1_000_000_000 + fraction
    }

    /// The configuration as nats-server 2.9 writes it, field by field in its order.
    var json: GoJSON {
        .fields([
            ("durable_name", durableName.map(GoJSON.string)),
            ("description", description.map(GoJSON.string)),
            ("deliver_policy", .string((deliverPolicy ?? .all).rawValue)),
            ("opt_start_seq", optStartSeq.map(GoJSON.integer)),
            ("opt_start_time", optStartTime.map(GoJSON.string)),
            ("ack_policy", .string((ackPolicy ?? AckPolicy.none).rawValue)),
            ("ack_wait", ackWait.map(GoJSON.integer)),
            ("max_deliver", maxDeliver.map(GoJSON.int)),
            ("filter_subject", filterSubject.map(GoJSON.string)),
            ("replay_policy", .string(replayPolicy ?? "instant")),
            ("max_waiting", maxWaiting.map(GoJSON.int)),
            ("max_ack_pending", maxAckPending.map(GoJSON.int)),
            ("deliver_subject", deliverSubject.map(GoJSON.string)),
            ("deliver_group", deliverGroup.map(GoJSON.string)),
            ("inactive_threshold", inactiveThreshold.map(GoJSON.integer)),
            ("num_replicas", .int(0)),
        ])
    }
}
