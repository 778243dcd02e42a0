import Foundation

/// Every message type a part knows, with every schema version. Decoding an envelope through the
/// catalog refuses unknown types and newer versions with a typed reason, and upcasts older ones.
public struct MessageCatalog: Sendable {
    public private(set) var types: [String: MessageType] = [:]

    public init(_ types: [MessageType] = []) {
        for type in types { self.types[type.name] = type }
    }

    /// This catalog with `other`'s types added.
    public func merging(_ other: MessageCatalog) -> MessageCatalog {
        var merged = self
        merged.types.merge(other.types) { current, _ in current }
        return merged
    }

    /// Checks `envelope` against the catalog and returns it with `data` in the current version.
    public func upcast(_ envelope: Envelope) throws(EnvelopeError) -> Envelope {
        guard let entry = types[envelope.type] else {
            throw EnvelopeError(.unknownType, "unknown message type '\(envelope.type)'", type: envelope.type)
        }
        let version = envelope.dataVersion ?? 1
        guard version >= 1 else {
            throw EnvelopeError(.invalidAttribute, "\(envelope.type) version \(version) is not a version; versions start at 1", type: envelope.type)
        }
        guard version <= entry.version else {
            throw EnvelopeError(.newerVersion,
                                "\(envelope.type) version \(version) is newer than the newest known version \(entry.version); upgrade this part",
                                type: envelope.type)
        }
        guard version < entry.version else { return envelope }
        var upgraded = envelope
        do {
            var value = try JSONCoding.decoder.decode(JSONValue.self, from: Data(envelope.data ?? Array("null".utf8)))
            for step in version..<entry.version {
                guard let upcaster = entry.upcasters[step] else {
                    throw EnvelopeError(.invalidData, "\(envelope.type) has no way from version \(step) to \(step + 1)", type: envelope.type)
                }
                try upcaster(&value)
            }
            upgraded.data = Array(try JSONCoding.encoder.encode(value))
        } catch {
            throw EnvelopeError(.invalidData, "\(envelope.type) version \(version) could not be upcast: \(error)", type: envelope.type)
        }
        upgraded.dataVersion = entry.version
        return upgraded
    }

    /// Decodes bytes and upcasts the envelope: the one call consumers make.
    public func decode(_ bytes: [UInt8], maxBytes: Int = EnvelopeCodec.defaultMaxBytes) throws(EnvelopeError) -> Envelope {
        try upcast(EnvelopeCodec.decode(bytes, maxBytes: maxBytes))
    }

    /// The current version of `type`, for stamping new envelopes.
    public func version(of type: String) -> Int? { types[type]?.version }
}
