import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Partner requests to services, answered straight from the bus thread.
extension GatewayCore {

    /// Sends a partner's command to its service; the answer goes straight from the bus thread to
    /// the partner's connection (no task hops), or "no responders" when no service serves it.
    func forward(_ request: PartnerRequest) {
        guard let bus else { return }
        let service = request.command.type.split(separator: ".").dropFirst().first.map(String.init) ?? ""
        let wantsStatus = request.connection.session?.options.headers == true && request.connection.session?.options.noResponders == true
        if wantsStatus && !isLive(service) {
            sendNoResponders(to: request)
            return
        }
        let inbox = bus.request(request.command) { [weak self] answer in
            self?.deliverReply(answer.payload, to: request.connection, subject: request.replySubject, command: request.command.type)
        }
        let timeout = TimeAmount.nanoseconds(configuration.requestTimeout.nanoseconds)
        request.connection.channel.eventLoop.scheduleTask(in: timeout) { [weak self] in
            guard let self, bus.cancelRequest(inbox) else { return }
            logger.info("partner request got no answer", metadata: ["gateway.type": "\(request.command.type)"])
            if wantsStatus { sendNoResponders(to: request) }
        }
    }

    func sendNoResponders(to request: PartnerRequest) {
        guard let sid = table.subscriptions(of: request.connection.id).first(where: {
            Subject.matches(request.replySubject, pattern: $0.subject)
        })?.sid else { return }
        var bytes: [UInt8] = []
        ServerEncoder.headerMessage(into: &bytes, subject: request.replySubject, sid: sid, replyTo: nil,
                                    headers: ServerEncoder.headers(status: "503"), payload: [])
        _ = request.connection.write(bytes)
    }

    /// Writes an encoded answer to the connection that asked, to every subscription of it that
    /// matches the reply subject (as nats-server does: a partner subscribed to `>` gets it there
    /// too). An answer its label does not let go there is replaced by a refusal: the partner
    /// learns it was refused instead of waiting for a timeout.
    @discardableResult
    func deliverReply(_ reply: [UInt8], to connection: PartnerConnection, subject: String, command: String) -> Bool {
        guard let session = connection.session else { return false }
        var answer = reply
        if let label = EnvelopeCodec.label(of: reply),
           Releasability.allows(classification: label.classification, releasableTo: label.releasableTo,
                                partner: session.identity.code, clearance: session.clearance) {
        } else {
            metrics.withheld.increment()
            answer = EnvelopeCodec.encode(PartnerEnvelope.rejection(
                EnvelopeError(.forbidden, "the answer to \(command) is not releasable to \(session.identity.code)", type: command),
                for: command, partner: session.identity.code))
        }
        let sids = table.subscriptions(of: connection.id).filter { Subject.matches(subject, pattern: $0.subject) }.map(\.sid)
        guard !sids.isEmpty else { return false }
        var bytes: [UInt8] = []
        for sid in sids { ServerEncoder.message(into: &bytes, subject: subject, sid: sid, replyTo: nil, payload: answer) }
        return write(bytes, to: connection)
    }
}
