import BusCore
import Foundation
import NATSProtocol

/// Turns what a partner publishes into a bus envelope, validated against the catalog before it
/// can reach a service, and turns a refusal into an answer the partner can read.
enum PartnerEnvelope {
    /// Header names a partner may set with HPUB.
    enum Header {
        static let classification = "Concord-Classification"
        static let releasableTo = "Concord-Releasable-To"
        static let dataVersion = "Concord-Data-Version"
        static let idempotencyKey = "Concord-Idempotency-Key"
        /// JetStream's de-duplication header: stock clients set it on a publish they may repeat.
        static let natsMessageID = "Nats-Msg-Id"
        static let traceparent = "traceparent"
    }

    static func make(subject: String, headers: [UInt8]?, payload: [UInt8], partner: PartnerDirectory.Entry,
                     catalog: MessageCatalog) -> Result<Envelope, EnvelopeError> {
        var fields: [String: String] = [:]
        if let headers {
            guard let parsed = HeaderBlock.parse(headers) else {
                return .failure(EnvelopeError(.invalidAttribute, "headers are not a NATS/1.0 header block", type: subject))
            }
            for (key, value) in parsed { fields[key.lowercased()] = value }
        }
        var envelope = Envelope(id: RandomID.uuid(), source: PartnerSource.source(for: partner.code), type: subject,
                                time: Timestamp.rfc3339(Date()))
        if let version = fields[Header.dataVersion.lowercased()] {
            guard let number = Int(version), number >= 1 else {
                return .failure(EnvelopeError(.invalidAttribute, "\(Header.dataVersion) must be a whole number from 1, not '\(version)'", type: subject))
            }
            envelope.dataVersion = number
        } else {
            envelope.dataVersion = catalog.version(of: subject)
        }
        envelope.idempotencyKey = fields[Header.idempotencyKey.lowercased()] ?? fields[Header.natsMessageID.lowercased()]
        envelope.traceparent = fields[Header.traceparent] ?? RandomID.traceparent()
        // A partner's own label, never above its clearance; by default releasable to itself only.
        let label = fields[Header.classification.lowercased()].map { $0.uppercased() } ?? Classification.unclassified.rawValue
        guard let level = Classification(rawValue: label) else {
            return .failure(EnvelopeError(.invalidAttribute, "classification '\(label)' is not a level of the mission's policy", type: subject))
        }
        guard level <= partner.clearance else {
            return .failure(EnvelopeError(.invalidAttribute, "classification \(label) is above your clearance \(partner.clearance.rawValue)", type: subject))
        }
        envelope.classification = label
        envelope.releasableTo = fields[Header.releasableTo.lowercased()].map { $0.split(separator: " ").map(String.init) } ?? [partner.code]
        // The partner's clearance as the registry gave it: services show a partner's queries
        // only what its label allows at that clearance.
        envelope.extensions["clearance"] = partner.clearance.rawValue
        guard EnvelopeCodec.isValidJSON(payload) else {
            return .failure(EnvelopeError(.malformedJSON, "the payload is not valid JSON", type: subject))
        }
        envelope.data = payload
        do {
            _ = try catalog.upcast(envelope)
        } catch {
            return .failure(error)
        }
        return .success(envelope)
    }

    /// `gateway.command.rejected` for a refused request, releasable like any answer to the asker.
    static func rejection(_ error: EnvelopeError, for subject: String, partner: String) -> Envelope {
        var envelope = Envelope(id: RandomID.uuid(), source: "concord/gateway", type: "gateway.command.rejected",
                                time: Timestamp.rfc3339(Date()), dataVersion: 1,
                                classification: Classification.unclassified.rawValue, releasableTo: [partner])
        try? envelope.setData(["code": error.code.rawValue, "message": error.reason, "command": subject])
        return envelope
    }
}
