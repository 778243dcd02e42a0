import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Partner publishes: checked, turned into envelopes, sent onto the bus.
extension GatewayCore {

    /// A partner's PUB or HPUB: checked, turned into an envelope and sent onto the bus; a command
    /// or query with a reply subject becomes a request. Returns the `-ERR` text when refused.
    func publish(_ connection: PartnerConnection, subject: String, replyTo: String?, headers: [UInt8]?, payload: [UInt8]) -> String? {
        guard let session = connection.session, let entry = directory.entry(session.identity.code) else { return "Authorization Violation" }
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
                             to: connection, subject: replyTo)
            }
            return replyTo == nil ? "Invalid Message: \(error.reason)" : nil
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
