/// Encodes and decodes envelopes as CloudEvents JSON structured mode, by hand, because this is
/// the bus's hot path: no Foundation coders, and `data` is carried as raw bytes.
public enum EnvelopeCodec {
    /// The largest envelope the bus carries: a partner's largest payload (nats-server's default
    /// `max_payload`, 1 MiB, which the gateway advertises) with room for the envelope around it.
    public static let defaultMaxBytes = (1 << 20) + (64 << 10)

    /// The JSON text of `envelope`.
    public static func encode(_ envelope: Envelope) -> [UInt8] {
        var out = JSONWriter(capacity: 256 + (envelope.data?.count ?? 0))
        out.raw("{\"specversion\":\"1.0\"")
        out.key("id"); out.string(envelope.id)
        out.key("source"); out.string(envelope.source)
        out.key("type"); out.string(envelope.type)
        if let time = envelope.time { out.key("time"); out.string(time) }
        if let version = envelope.dataVersion { out.key("dataversion"); out.integer(Int64(version)) }
        if let sequence = envelope.sequence { out.key("sequence"); out.integer(sequence) }
        if let label = envelope.classification { out.key("classification"); out.string(label) }
        if !envelope.releasableTo.isEmpty {
            out.key("releasableto"); out.string(envelope.releasableTo.joined(separator: " "))
        }
        if let replyTo = envelope.replyTo { out.key("replyto"); out.string(replyTo) }
        if let trace = envelope.traceparent { out.key("traceparent"); out.string(trace) }
        if let key = envelope.idempotencyKey { out.key("idempotencykey"); out.string(key) }
        for name in envelope.extensions.keys.sorted() {
            out.raw(","); out.string(name); out.raw(":"); out.string(envelope.extensions[name]!)
        }
        if let data = envelope.data {
            out.raw(",\"datacontenttype\":\"application/json\",\"data\":")
            out.raw(data)
        }
        out.raw("}")
        return out.bytes
    }

    /// Parses an envelope, checking the CloudEvents required attributes and Concord's extensions.
    public static func decode(_ bytes: [UInt8], maxBytes: Int = defaultMaxBytes) throws(EnvelopeError) -> Envelope {
        guard bytes.count <= maxBytes else {
            throw EnvelopeError(.oversized, "envelope of \(bytes.count) bytes exceeds the limit of \(maxBytes)")
        }
        let result: Result<Envelope, EnvelopeError> = bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do {
                return try decodeObject(&scanner)
            } catch let error as EnvelopeError {
                return .failure(error)
            } catch let error as JSONScanner.Failure {
                return .failure(EnvelopeError(.malformedJSON, "invalid JSON at byte \(error.offset): \(error.reason)"))
            } catch {
                return .failure(EnvelopeError(.malformedJSON, "\(error)"))
            }
        }
        return try result.get()
    }

    /// Reads only the label of an encoded envelope, skipping everything else: what a gateway
    /// needs to decide releasability once per event without decoding it.
    public static func label(of bytes: [UInt8]) -> (classification: String?, releasableTo: [String])? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            var classification: String?
            var releasableTo: [String] = []
            do {
                try scanner.expect(UInt8(ascii: "{"))
                if scanner.take(UInt8(ascii: "}")) { return (nil, []) }
                repeat {
                    let name = try scanner.string()
                    try scanner.expect(UInt8(ascii: ":"))
                    if (name == "classification" || name == "releasableto"), scanner.peek() == UInt8(ascii: "\"") {
                        let value = try scanner.string()
                        if name == "classification" { classification = value }
                        else { releasableTo = value.split(separator: " ").map(String.init) }
                    } else {
                        _ = try scanner.skipValue()
                    }
                } while scanner.take(UInt8(ascii: ","))
                return (classification, releasableTo)
            } catch {
                return nil
            }
        }
    }

    /// Reads only the `id` of an encoded envelope.
    public static func id(of bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            var id: String?
            _ = try? members(&scanner) { name, scanner in
                guard name == "id", scanner.peek() == UInt8(ascii: "\"") else { return .skip }
                id = try scanner.string()
                return .stop
            }
            return id
        }
    }

    /// The envelope's `source`: the first top-level `source` string, read without looking
    /// further. The proxy checks publishers with it; it is the only `source` any reader takes,
    /// because the decoder refuses an envelope that names an attribute twice.
    public static func source(of bytes: UnsafeRawBufferPointer) -> String? {
        var scanner = JSONScanner(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
        var source: String?
        _ = try? members(&scanner) { name, scanner in
            guard name == "source" else { return .skip }
            source = scanner.peek() == UInt8(ascii: "\"") ? try scanner.string() : nil
            return .stop
        }
        return source
    }

    /// What a member visitor did with the value it was handed.
    private enum MemberVisit { case skip, stop }

    /// Walks the members of the JSON object at the scanner, handing each name to `visit` with
    /// the scanner at its value, which the visitor leaves to be skipped or stops the walk at.
    private static func members(_ scanner: inout JSONScanner,
                                _ visit: (String, inout JSONScanner) throws -> MemberVisit) throws {
        try scanner.expect(UInt8(ascii: "{"))
        if scanner.take(UInt8(ascii: "}")) { return }
        repeat {
            let name = try scanner.string()
            try scanner.expect(UInt8(ascii: ":"))
            if try visit(name, &scanner) == .stop { return }
            _ = try scanner.skipValue()
        } while scanner.take(UInt8(ascii: ","))
    }

    /// Whether `bytes` are one well-formed JSON value.
    public static func isValidJSON(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            guard (try? scanner.skipValue()) != nil else { return false }
            scanner.skipWhitespace()
            return scanner.atEnd
        }
    }

    private static func decodeObject(_ scanner: inout JSONScanner) throws -> Result<Envelope, EnvelopeError> {
        var fields = Fields()
        try scanner.expect(UInt8(ascii: "{"))
        if !scanner.take(UInt8(ascii: "}")) {
            repeat {
                let name = try scanner.string()
                try scanner.expect(UInt8(ascii: ":"))
                try fields.read(name, from: &scanner)
            } while scanner.take(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.fail("text after the envelope object") }
        return .success(try fields.validated())
    }

    /// Attributes as read, before the required ones are checked.
    private struct Fields {
        var specVersion: String?
        var contentType: String?
        var envelope = Envelope(id: "", source: "", type: "")
        var seen: Set<String> = []

        mutating func read(_ name: String, from scanner: inout JSONScanner) throws {
            // One value per attribute: a second one could say something else to another reader
            // (the proxy checks the first `source`), so it is refused, never resolved.
            guard seen.insert(name).inserted else {
                throw EnvelopeError(.invalidAttribute, "attribute '\(name)' appears twice")
            }
            if name == "data" {
                let range = try scanner.skipValue()
                envelope.data = Array(scanner.bytes[range])
                return
            }
            if name == "dataversion" || name == "sequence" {
                guard scanner.peek() != UInt8(ascii: "\"") else {
                    throw EnvelopeError(.invalidAttribute, "attribute '\(name)' must be an integer")
                }
                let value = try scanner.integer()
                if name == "dataversion" {
                    guard value > 0, value <= Int32.max else {
                        throw EnvelopeError(.invalidAttribute, "attribute 'dataversion' must be a positive integer")
                    }
                    envelope.dataVersion = Int(value)
                } else {
                    guard value > 0 else { throw EnvelopeError(.invalidAttribute, "attribute 'sequence' must be positive") }
                    envelope.sequence = value
                }
                return
            }
            if name == "data_base64" {
                throw EnvelopeError(.invalidAttribute, "binary data (data_base64) is not accepted; send JSON data")
            }
            guard scanner.peek() == UInt8(ascii: "\"") else {
                throw EnvelopeError(.invalidAttribute, "attribute '\(name)' must be a string")
            }
            let value = try scanner.string()
            switch name {
            case "specversion": specVersion = value
            case "id": envelope.id = value
            case "source": envelope.source = value
            case "type": envelope.type = value
            case "time": envelope.time = value
            case "datacontenttype": contentType = value
            case "classification": envelope.classification = value
            case "releasableto": envelope.releasableTo = value.split(separator: " ").map(String.init)
            case "replyto": envelope.replyTo = value
            case "traceparent": envelope.traceparent = value
            case "idempotencykey": envelope.idempotencyKey = value
            default:
                guard Self.isExtensionName(name) else {
                    throw EnvelopeError(.invalidAttribute, "attribute name '\(name)' is not lower-case letters and digits")
                }
                envelope.extensions[name] = value
            }
        }

        func validated() throws -> Envelope {
            guard let specVersion else { throw EnvelopeError(.missingAttribute, "missing attribute 'specversion'") }
            guard specVersion == "1.0" else {
                throw EnvelopeError(.unsupportedSpecVersion, "specversion '\(specVersion)' is not supported; expected 1.0")
            }
            for required in ["id", "source", "type"] where !seen.contains(required) {
                throw EnvelopeError(.missingAttribute, "missing attribute '\(required)'")
            }
            guard !envelope.id.isEmpty, !envelope.source.isEmpty, !envelope.type.isEmpty else {
                throw EnvelopeError(.invalidAttribute, "attributes 'id', 'source' and 'type' must not be empty")
            }
            if let contentType, !contentType.hasPrefix(Envelope.contentType) {
                throw EnvelopeError(.invalidAttribute, "datacontenttype '\(contentType)' is not application/json", type: envelope.type)
            }
            return envelope
        }

        static func isExtensionName(_ name: String) -> Bool {
            !name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        }
    }
}
