import BusCore

/// Decides who gets one bus message: matching subscriptions, releasability (checked once per
/// subscriber against a label read once per event), and one member per queue group.
enum Delivery {
    struct Target {
        let subscription: SubscriptionTable.Subscription
    }

    static func targets(for message: BusMessage, in table: SubscriptionTable) -> [SubscriptionTable.Subscription] {
        let candidates = table.matches(message.topic)
        guard !candidates.isEmpty, let label = EnvelopeCodec.label(of: message.payload) else { return [] }
        var chosen: [SubscriptionTable.Subscription] = []
        var groups: [String: [SubscriptionTable.Subscription]] = [:]
        for subscription in candidates where Releasability.allows(
            classification: label.classification, releasableTo: label.releasableTo,
            partner: subscription.partner, clearance: subscription.clearance) {
            if let queue = subscription.queue {
                // A queue group is one partner's: another partner naming the same group joins a
                // group of its own, and never takes the first partner's deliveries.
                groups["\(subscription.partner) \(subscription.subject) \(queue)", default: []].append(subscription)
            } else {
                chosen.append(subscription)
            }
        }
        for members in groups.values { chosen.append(members.randomElement()!) }
        return chosen
    }
}
