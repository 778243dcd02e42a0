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
        // Held to the partner's limit rather than refused: stock clients ask for more by default
        // (nats.go's pull subscriptions ask for 524,288) and would otherwise fail to start.
        if let pending = config.maxAckPending, pending > maxAckPendingLimit { config.maxAckPending = maxAckPendingLimit }
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

    /// Nanoseconds since 1970 of an RFC 3339 time (`2026-12-01T04:53:02.777Z`, up to nine
    /// fraction digits, `Z` or a `±hh:mm` offset); nil when it is not one. Read by hand: every
    /// indexed event's time goes through here.
    static func nanoseconds(ofRFC3339 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 9 { fraction = fraction * 10 + Int64(bytes[index] - 0x30); digits += 1 }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fraction *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"), let hours = number(index + 1, 2),
                  let minutes = number(index + 4, 2) else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Int64(days) * 86_400 + Int64(hour * 3_600 + minute * 60 + second - offset)
        return seconds * 1_000_000_000 + fraction
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
