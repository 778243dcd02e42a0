import Metrics
import Synchronization

/// The gateway's counters, created once with bounded labels (never per subject; per partner only for deliveries).
final class GatewayMetrics: Sendable {
    let connections = Meter(label: "concord_gateway_connections")
    let authFailures = Counter(label: "concord_gateway_auth_failures_total")
    /// Sign-ins refused unchecked because their address is blocked for guessing.
    let authThrottled = Counter(label: "concord_gateway_auth_throttled_total")
    /// Connections refused by a connection limit (in all, or per partner).
    let connectionsRefused = Counter(label: "concord_gateway_connections_refused_total")
    let subscriptionsRefused = Counter(label: "concord_gateway_subscriptions_refused_total")
    let permissionViolations = Counter(label: "concord_gateway_permission_violations_total")
    let invalidMessages = Counter(label: "concord_gateway_invalid_messages_total")
    let partnerMessagesIn = Counter(label: "concord_gateway_partner_messages_total")
    /// Deliveries per partner: partners are the registry's members, so the label stays bounded.
    private let deliveries = Mutex<[String: Counter]>([:])

    func delivered(to partner: String) -> Counter {
        deliveries.withLock { counters in
            if let counter = counters[partner] { return counter }
            let counter = Counter(label: "concord_gateway_deliveries_total", dimensions: [("partner", partner)])
            counters[partner] = counter
            return counter
        }
    }
    let withheld = Counter(label: "concord_gateway_withheld_total")
    let slowConsumers = Counter(label: "concord_gateway_slow_consumers_total")
    let protocolErrors = Counter(label: "concord_gateway_protocol_errors_total")
    /// Messages delivered from durable feeds (first deliveries and redeliveries).
    let feedDelivered = Counter(label: "concord_gateway_feed_deliveries_total")
    /// JetStream API requests and acknowledgements refused or not understood.
    let feedRequestsRefused = Counter(label: "concord_gateway_feed_requests_refused_total")
    /// Feed inputs dropped because the feed engine's queue was full.
    let feedInputsDropped = Counter(label: "concord_gateway_feed_inputs_dropped_total")
}

