import BusCore
import Synchronization

/// Every partner subscription of the gateway, for routing a bus message to the connections
/// that want it. Matches are cached per topic until subscriptions change, so routing an event
/// costs one dictionary look-up however many partners are connected.
final class SubscriptionTable: Sendable {
    struct Subscription: Sendable, Equatable {
        let connection: UInt64
        let sid: String
        let subject: String
        let queue: String?
        /// The subscriber's partner code and clearance, for releasability.
        var partner: String
        var clearance: Classification
        /// Messages still to deliver before the subscription ends (`UNSUB <sid> <max>`); nil: no limit.
        var remaining: Int? = nil
        /// The connection said `echo: false`: it does not get back what it published itself.
        var noEcho = false
    }

    private struct State {
        var byConnection: [UInt64: [String: Subscription]] = [:]
        var prefixCounts: [String: Int] = [:]
        var cache: [String: [Subscription]] = [:]
    }

    private let state = Mutex(State())

    /// Subjects under this prefix are answered by the gateway itself, never subscribed on the bus.
    static let inboxPrefix = "_INBOX."

    /// Adds a subscription; returns a bus prefix to subscribe to when it is the first to need it.
    func add(_ subscription: Subscription) -> String? {
        state.withLock { state in
            if let old = state.byConnection[subscription.connection]?[subscription.sid] {
                state.byConnection[subscription.connection]?[subscription.sid] = nil
                _ = Self.release(old, in: &state)
            }
            state.byConnection[subscription.connection, default: [:]][subscription.sid] = subscription
            state.cache.removeAll(keepingCapacity: true)
            guard !subscription.subject.hasPrefix(Self.inboxPrefix) else { return nil }
            let prefix = Subject.literalPrefix(subscription.subject)
            state.prefixCounts[prefix, default: 0] += 1
            return state.prefixCounts[prefix] == 1 ? prefix : nil
        }
    }

    /// Removes one subscription; returns a bus prefix nobody needs any more.
    func remove(connection: UInt64, sid: String) -> String? {
        state.withLock { state in
            guard let old = state.byConnection[connection]?.removeValue(forKey: sid) else { return nil }
            state.cache.removeAll(keepingCapacity: true)
            return Self.release(old, in: &state)
        }
    }

    /// Removes a connection's subscriptions; returns the bus prefixes nobody needs any more.
    func removeAll(connection: UInt64) -> [String] {
        state.withLock { state in
            let removed = state.byConnection.removeValue(forKey: connection) ?? [:]
            state.cache.removeAll(keepingCapacity: true)
            return removed.values.compactMap { Self.release($0, in: &state) }
        }
    }

    /// Sets how many more messages a subscription takes (`UNSUB <sid> <max>`). Returns nil for an
    /// unknown sid, else a bus prefix to drop when the subscription ended at once.
    func limit(connection: UInt64, sid: String, remaining: Int) -> String?? {
        state.withLock { state in
            guard state.byConnection[connection]?[sid] != nil else { return .none }
            if remaining <= 0 {
                let old = state.byConnection[connection]!.removeValue(forKey: sid)!
                state.cache.removeAll(keepingCapacity: true)
                return .some(Self.release(old, in: &state))
            }
            state.byConnection[connection]![sid]!.remaining = remaining
            state.cache.removeAll(keepingCapacity: true)
            return .some(nil)
        }
    }

    /// Counts one delivery on limited subscriptions; returns bus prefixes nobody needs any more.
    func delivered(_ subscription: Subscription) -> String? {
        guard subscription.remaining != nil else { return nil }
        return state.withLock { state in
            guard var current = state.byConnection[subscription.connection]?[subscription.sid], let left = current.remaining else { return nil }
            state.cache.removeAll(keepingCapacity: true)
            if left <= 1 {
                state.byConnection[subscription.connection]![subscription.sid] = nil
                return Self.release(current, in: &state)
            }
            current.remaining = left - 1
            state.byConnection[subscription.connection]![subscription.sid] = current
            return nil
        }
    }

    /// A connection's subscriptions.
    func subscriptions(of connection: UInt64) -> [Subscription] {
        state.withLock { Array(($0.byConnection[connection] ?? [:]).values) }
    }

    /// Updates the clearance every subscription of `partner` carries.
    func updateClearance(partner: String, to clearance: Classification) {
        state.withLock { state in
            for (connection, subscriptions) in state.byConnection {
                for (sid, subscription) in subscriptions where subscription.partner == partner {
                    state.byConnection[connection]?[sid]?.clearance = clearance
                }
            }
            state.cache.removeAll(keepingCapacity: true)
        }
    }

    /// Every subscription whose subject matches `topic`.
    func matches(_ topic: String) -> [Subscription] {
        state.withLock { state in
            if let cached = state.cache[topic] { return cached }
            var found: [Subscription] = []
            for subscriptions in state.byConnection.values {
                for subscription in subscriptions.values where Subject.matches(topic, pattern: subscription.subject) {
                    found.append(subscription)
                }
            }
            if state.cache.count > 10_000 { state.cache.removeAll(keepingCapacity: true) }
            state.cache[topic] = found
            return found
        }
    }

    private static func release(_ subscription: Subscription, in state: inout State) -> String? {
        guard !subscription.subject.hasPrefix(inboxPrefix) else { return nil }
        let prefix = Subject.literalPrefix(subscription.subject)
        state.prefixCounts[prefix, default: 1] -= 1
        guard state.prefixCounts[prefix]! <= 0 else { return nil }
        state.prefixCounts[prefix] = nil
        return prefix
    }
}
