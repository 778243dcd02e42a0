import Foundation

/// One message on the bus: a CloudEvents 1.0 event in JSON structured mode with Concord's
/// extension attributes. `data` stays as raw JSON bytes until a consumer asks for it.
public struct Envelope: Sendable, Equatable {
    /// CloudEvents `id`: unique per `source`.
    public var id: String
    /// CloudEvents `source`: the service or partner that produced the event, e.g. `concord/registry`.
    public var source: String
    /// CloudEvents `type`, which is also the ZeroMQ topic, e.g. `registry.partner.registered`.
    public var type: String
    /// CloudEvents `time` as RFC 3339 text.
    public var time: String?
    /// Schema version of `data` for this `type`.
    public var dataVersion: Int?
    /// Gap-free per-source sequence number from the source's journal; nil for commands and replies.
    public var sequence: Int64?
    /// Label level from the mission's policy, e.g. `RESTRICTED`. Nil means unlabelled.
    public var classification: String?
    /// Partner codes the event may be released to.
    public var releasableTo: [String]
    /// Inbox topic a command's answer goes to.
    public var replyTo: String?
    /// W3C trace context.
    public var traceparent: String?
    /// Key that makes a repeated command a no-op that gets the first answer again.
    public var idempotencyKey: String?
    /// Any other extension attributes, kept so events survive a round trip unchanged.
    public var extensions: [String: String]
    /// The raw JSON text of `data`, if present.
    public var data: [UInt8]?

    /// The only media type Concord puts on the bus.
    public static let contentType = "application/json"

    public init(
        id: String, source: String, type: String, time: String? = nil,
        dataVersion: Int? = nil, sequence: Int64? = nil, classification: String? = nil,
        releasableTo: [String] = [], replyTo: String? = nil, traceparent: String? = nil,
        idempotencyKey: String? = nil, extensions: [String: String] = [:], data: [UInt8]? = nil
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.dataVersion = dataVersion
        self.sequence = sequence
        self.classification = classification
        self.releasableTo = releasableTo
        self.replyTo = replyTo
        self.traceparent = traceparent
        self.idempotencyKey = idempotencyKey
        self.extensions = extensions
        self.data = data
    }
}

extension Envelope {
    /// Decodes `data` into `T`.
    public func decodeData<T: Decodable>(_: T.Type = T.self, userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> T {
        guard let data else {
            throw EnvelopeError(.invalidData, "event \(type) has no data", type: type)
        }
        do {
            return try JSONTreeDecoder.decode(T.self, from: data, userInfo: userInfo)
        } catch let error as DecodingError {
            throw EnvelopeError(.invalidData, JSONCoding.describe(error), type: type)
        }
    }

    /// Encodes `value` as this envelope's data.
    public mutating func setData<T: Encodable>(_ value: T) throws {
        data = try JSONTreeEncoder.encode(value).bytes
    }

    /// The classification as a known level, if it is one.
    public var label: Classification? { classification.flatMap(Classification.init(rawValue:)) }
}
