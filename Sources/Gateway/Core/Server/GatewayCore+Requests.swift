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
            self?.deliverReply(answer.payload, to: request.connection, subject: request.replySubject)
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

    /// Writes an encoded answer to the connection that asked, if its label lets it go there.
    @discardableResult
    func deliverReply(_ reply: [UInt8], to connection: PartnerConnection, subject: String) -> Bool {
        guard let session = connection.session, let label = EnvelopeCodec.label(of: reply),
              Releasability.allows(classification: label.classification, releasableTo: label.releasableTo,
                                   partner: session.identity.code, clearance: session.clearance) else {
            metrics.withheld.increment()
            return false
        }
        guard let sid = table.subscriptions(of: connection.id).first(where: { Subject.matches(subject, pattern: $0.subject) })?.sid else {
            return false
        }
        var bytes: [UInt8] = []
        ServerEncoder.message(into: &bytes, subject: subject, sid: sid, replyTo: nil, payload: reply)
        return write(bytes, to: connection)
    }
}
