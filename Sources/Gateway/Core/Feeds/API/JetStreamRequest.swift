import Foundation

/// A JetStream API request, read from its subject: `$JS.API.<what>[.<stream>[.<consumer>]]`.
enum JetStreamRequest: Sendable, Equatable {
    case accountInfo
    case streamNames
    case streamList
    case streamInfo(stream: String)
    case streamCreate(stream: String)
    /// UPDATE, DELETE, PURGE, MSG.DELETE: changes partners may never make.
    case streamChange(stream: String, kind: String)
    case streamMessageGet(stream: String)
    case consumerCreate(stream: String, name: String?, filter: String?)
    case durableCreate(stream: String, durable: String)
    case consumerInfo(stream: String, consumer: String)
    case consumerDelete(stream: String, consumer: String)
    case consumerNames(stream: String)
    case consumerList(stream: String)
    case next(stream: String, consumer: String)

    static let prefix = "$JS.API."

    init?(subject: String) {
        guard subject.hasPrefix(Self.prefix) else { return nil }
        let tokens = subject.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (tokens.first, tokens.count) {
        case ("INFO", 1): self = .accountInfo
        case ("STREAM", _): guard let request = Self.stream(Array(tokens.dropFirst())) else { return nil }; self = request
        case ("CONSUMER", _): guard let request = Self.consumer(Array(tokens.dropFirst())) else { return nil }; self = request
        default: return nil
        }
    }

    private static func stream(_ tokens: [String]) -> JetStreamRequest? {
        switch tokens.count {
        case 1 where tokens[0] == "NAMES": return .streamNames
        case 1 where tokens[0] == "LIST": return .streamList
        case 2:
            switch tokens[0] {
            case "INFO": return .streamInfo(stream: tokens[1])
            case "CREATE": return .streamCreate(stream: tokens[1])
            case "UPDATE", "DELETE", "PURGE": return .streamChange(stream: tokens[1], kind: tokens[0])
            default: return nil
            }
        case 3 where tokens[0] == "MSG" && tokens[1] == "DELETE": return .streamChange(stream: tokens[2], kind: "MSG.DELETE")
        case 3 where tokens[0] == "MSG" && tokens[1] == "GET": return .streamMessageGet(stream: tokens[2])
        default: return nil
        }
    }

    private static func consumer(_ tokens: [String]) -> JetStreamRequest? {
        switch (tokens.first, tokens.count) {
        case ("CREATE", 2): return .consumerCreate(stream: tokens[1], name: nil, filter: nil)
        case ("CREATE", 3): return .consumerCreate(stream: tokens[1], name: tokens[2], filter: nil)
        case ("CREATE", let count) where count > 3:
            return .consumerCreate(stream: tokens[1], name: tokens[2], filter: tokens[3...].joined(separator: "."))
        case ("DURABLE", 4) where tokens[1] == "CREATE": return .durableCreate(stream: tokens[2], durable: tokens[3])
        case ("INFO", 3): return .consumerInfo(stream: tokens[1], consumer: tokens[2])
        case ("DELETE", 3): return .consumerDelete(stream: tokens[1], consumer: tokens[2])
        case ("NAMES", 2): return .consumerNames(stream: tokens[1])
        case ("LIST", 2): return .consumerList(stream: tokens[1])
        case ("MSG", 4) where tokens[1] == "NEXT": return .next(stream: tokens[2], consumer: tokens[3])
        default: return nil
        }
    }

    /// The `type` of the answer, as nats-server names it.
    var responseType: String {
        let name = switch self {
        case .accountInfo: "account_info"
        case .streamNames: "stream_names"
        case .streamList: "stream_list"
        case .streamInfo: "stream_info"
        case .streamCreate: "stream_create"
        case .streamChange(_, let kind):
            switch kind { case "UPDATE": "stream_update"; case "DELETE": "stream_delete"; case "PURGE": "stream_purge"; default: "stream_msg_delete" }
        case .streamMessageGet: "stream_msg_get"
        case .consumerCreate, .durableCreate: "consumer_create"
        case .consumerInfo: "consumer_info"
        case .consumerDelete: "consumer_delete"
        case .consumerNames: "consumer_names"
        case .consumerList: "consumer_list"
        case .next: "consumer_next"
        }
        return "io.nats.jetstream.api.v1.\(name)_response"
    }
}

/// An acknowledgement: `$JS.ACK.<stream>.<consumer>.<deliveries>.<stream seq>.<consumer seq>.<time>.<pending>`
/// with `+ACK` (or nothing), `-NAK` (optionally `{"delay":ns}`), `+WPI`, `+TERM` or `+NXT`.
struct JetStreamAck: Sendable, Equatable {
    let stream: String
    let consumer: String
    let streamSeq: Int64
    let kind: FeedConsumer.Ack
    /// `+NXT`: acknowledge and ask for the next message on the reply subject.
    let next: Bool

    static let prefix = "$JS.ACK."

    init?(subject: String, payload: [UInt8]) {
        // Read off the bytes: one of these arrives for every message a partner takes.
        let bytes = Array(subject.utf8)
        let prefix = Array(Self.prefix.utf8)
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        var dots: [Int] = []
        for index in prefix.count..<bytes.count where bytes[index] == UInt8(ascii: ".") {
            dots.append(index)
            if dots.count > 6 { return nil }
        }
        guard dots.count == 6, dots[0] > prefix.count, dots[1] > dots[0] + 1, dots[3] > dots[2] + 1 else { return nil }
        var seq: Int64 = 0
        for byte in bytes[(dots[2] + 1)..<dots[3]] {
            guard byte >= 0x30, byte <= 0x39, seq < Int64.max / 10 - 9 else { return nil }
            seq = seq * 10 + Int64(byte - 0x30)
        }
        stream = String(decoding: bytes[prefix.count..<dots[0]], as: UTF8.self)
        consumer = String(decoding: bytes[(dots[0] + 1)..<dots[1]], as: UTF8.self)
        streamSeq = seq
        let text = payload.isEmpty ? "" : String(decoding: payload, as: UTF8.self)
        next = text.hasPrefix("+NXT")
        switch text {
        case "", "+ACK": kind = .ack
        case _ where text.hasPrefix("+NXT"): kind = .ack
        case "+WPI": kind = .inProgress
        case _ where text.hasPrefix("+TERM"): kind = .term
        case _ where text.hasPrefix("-NAK"):
            struct Delay: Decodable { var delay: Int64? }
            let body = text.dropFirst(4).trimmingCharacters(in: .whitespaces)
            let delay = body.isEmpty ? nil : (try? JSONDecoder().decode(Delay.self, from: Data(body.utf8)))?.delay
            kind = .nak(delay: delay.map { .nanoseconds($0) })
        default: return nil
        }
    }
}
