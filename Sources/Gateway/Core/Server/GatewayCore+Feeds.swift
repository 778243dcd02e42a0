import BusCore
import NATSProtocol

/// What the feed engine needs of the gateway: partners' JetStream calls in, messages out.
extension GatewayCore {
    var feeds: FeedEngine? { feedState.withLock { $0 } }

    /// A partner's publish to `$JS.…`: handed to the feed engine with who sent it. Returns the
    /// `-ERR` text when refused.
    func feedCall(_ feeds: FeedEngine, _ connection: PartnerConnection, subject: String, replyTo: String?, payload: [UInt8],
                  partner: String) -> String? {
        guard Subject.isValid(subject, wildcards: false) else { return "Invalid Publish Subject" }
        let call = FeedCall(connection: connection.id, partner: partner, subject: subject, replyTo: replyTo, payload: payload)
        guard feeds.submit(.call(call)) else {
            logger.warning("feed engine queue full; a JetStream request was dropped", metadata: ["gateway.partner": "\(partner)"])
            return nil
        }
        metrics.partnerMessagesIn.increment()
        return nil
    }

    /// The sids of `connection`'s subscriptions that `subject` matches.
    func sids(of connection: UInt64, matching subject: String) -> [String] {
        table.subscriptions(of: connection).filter { Subject.matches(subject, pattern: $0.subject) }.map(\.sid)
    }

    /// Writes to one connection, if it is still open; false when it is gone or was cut off.
    func send(_ bytes: [UInt8], to connection: UInt64) -> Bool {
        guard !bytes.isEmpty, let target = connections.withLock({ $0[connection] }) else { return false }
        return write(bytes, to: target)
    }

    /// An answer from JetStream's side (as nats-server's internal client sends it: an empty reply field).
    func sendJetStreamReply(_ payload: [UInt8], to connection: UInt64, subject: String) {
        var bytes: [UInt8] = []
        for sid in sids(of: connection, matching: subject) {
            ServerEncoder.message(into: &bytes, subject: subject, sid: sid, replyTo: "", payload: payload)
        }
        _ = send(bytes, to: connection)
    }
}
