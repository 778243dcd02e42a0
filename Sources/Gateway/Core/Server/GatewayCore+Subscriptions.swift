import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Partner subscriptions and their permissions.
extension GatewayCore {

    /// Adds a subscription; returns the `-ERR` text when refused (the connection stays open).
    func subscribe(_ connection: PartnerConnection, subject: String, queue: String?, sid: String) -> String? {
        guard let session = connection.session, let entry = directory.entry(session.identity.code) else { return "Authorization Violation" }
        guard Subject.isValid(subject, wildcards: true), queue.map({ Subject.isValid($0, wildcards: false) }) ?? true else {
            return "Invalid Subject"
        }
        guard mayReceive(subject, entry) else {
            metrics.permissionViolations.increment()
            return "Permissions Violation for Subscription to \"\(subject)\""
        }
        guard table.subscriptions(of: connection.id).count < configuration.maxSubscriptions else {
            metrics.subscriptionsRefused.increment()
            return "maximum subscriptions exceeded"
        }
        let subscription = SubscriptionTable.Subscription(connection: connection.id, sid: sid, subject: subject, queue: queue,
                                                          partner: entry.code, clearance: entry.clearance,
                                                          noEcho: session.options.echo == false)
        if let prefix = table.add(subscription) { bus?.subscribe(prefix) }
        return nil
    }

    /// `UNSUB <sid> [max]`: at once, or after `max` more messages. (nats-server counts from the
    /// SUB; clients send the UNSUB right after it, so the two agree, and the hot path stays lock-free.)
    func unsubscribe(_ connection: PartnerConnection, sid: String, max: Int?) {
        guard let max else {
            if let prefix = table.remove(connection: connection.id, sid: sid) { bus?.unsubscribe(prefix) }
            return
        }
        if case .some(.some(let prefix)) = table.limit(connection: connection.id, sid: sid, remaining: max) {
            bus?.unsubscribe(prefix)
        }
    }

    /// Partners may always receive on their own inboxes: replies reach only the connection that asked.
    func mayReceive(_ subject: String, _ entry: PartnerDirectory.Entry) -> Bool {
        subject.hasPrefix(SubscriptionTable.inboxPrefix) || entry.subscribe.contains { Subject.isSubset(subject, of: $0) }
    }
}
