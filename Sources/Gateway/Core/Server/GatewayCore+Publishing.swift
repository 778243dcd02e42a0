import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Partner publishes: checked, turned into envelopes, sent onto the bus.
extension GatewayCore {
    /// What partners may publish at all, whatever their permissions say.
    static let partnerPrefixes = ["cmd.", "query.", "partner."]

    /// A partner's PUB or HPUB: checked, turned into an envelope and sent onto the bus; a command
    /// or query with a reply subject becomes a request. Returns the `-ERR` text when refused.
    func publish(_ connection: PartnerConnection, subject: String, replyTo: String?, headers: [UInt8]?, payload: [UInt8]) -> String? {
        guard let session = connection.session, let entry = directory.entry(session.identity.code) else { return "Authorization Violation" }
        if subject.hasPrefix("$JS."), let feeds {
            return feedCall(feeds, connection, subject: subject, replyTo: replyTo, payload: payload, partner: entry.code)
        }
        if let replyTo, let feeds, let stream = feeds.configuration.streams.first(where: { Subject.matches(subject, pattern: $0.subject) }) {
            // A JetStream publish into a stream: refused as into a sealed stream, answered so the client does not wait.
            metrics.permissionViolations.increment()
            sendJetStreamReply(JetStreamResponse.sealedPublish(stream).bytes, to: connection.id, subject: replyTo)
            return nil
        }
        // Partners send commands, queries and their own partner types: never a service's events.
        guard Self.partnerPrefixes.contains(where: subject.hasPrefix) else {
            metrics.permissionViolations.increment()
            return "Permissions Violation for Publish to \"\(subject)\""
        }
        let allowed = connection.mayPublish(subject) {
            Subject.isValid(subject, wildcards: false) && entry.publish.contains { Subject.matches(subject, pattern: $0) }
        }
        guard allowed else {
            guard Subject.isValid(subject, wildcards: false) else { return "Invalid Publish Subject" }
            metrics.permissionViolations.increment()
            return "Permissions Violation for Publish to \"\(subject)\""
        }
        let envelope: Envelope
        switch PartnerEnvelope.make(subject: subject, headers: headers, payload: payload, partner: entry, catalog: configuration.catalog) {
        case .success(let made): envelope = made
        case .failure(let error):
            metrics.invalidMessages.increment()
            logger.info("partner message refused", metadata: ["gateway.partner": "\(entry.code)", "gateway.subject": "\(subject)",
                                                             "gateway.reason": "\(error.reason)"])
            if let replyTo {
                deliverReply(EnvelopeCodec.encode(PartnerEnvelope.rejection(error, for: subject, partner: entry.code)),
                             to: connection, subject: replyTo, command: subject)
            }
            return replyTo == nil ? "Invalid Message: \(error.reason)" : nil
        }
        // Without headers the envelope adds a bounded set of attributes to a payload under
        // max_payload, which the bus's limit leaves room for; header values (escaped in JSON) can
        // grow, so an HPUB is measured. Never silence: what the bus would drop is refused here.
        guard headers == nil || EnvelopeCodec.encode(envelope).count <= EnvelopeCodec.defaultMaxBytes else {
            metrics.invalidMessages.increment()
            return "Invalid Message: too large for the bus once wrapped in its envelope"
        }
        if let replyTo, subject.hasPrefix("cmd.") || subject.hasPrefix("query.") {
            forward(PartnerRequest(connection: connection, command: envelope, replySubject: replyTo))
        } else {
            if session.options.echo == false { connection.notePublished(envelope.id) }
            bus?.publish(envelope)
        }
        metrics.partnerMessagesIn.increment()
        return nil
    }
}
