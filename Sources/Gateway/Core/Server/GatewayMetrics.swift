import Metrics

/// The gateway's counters, created once with bounded labels (never per subject or partner).
struct GatewayMetrics: Sendable {
    let connections = Meter(label: "concord_gateway_connections")
    let authFailures = Counter(label: "concord_gateway_auth_failures_total")
    let permissionViolations = Counter(label: "concord_gateway_permission_violations_total")
    let invalidMessages = Counter(label: "concord_gateway_invalid_messages_total")
    let partnerMessagesIn = Counter(label: "concord_gateway_partner_messages_total")
    let delivered = Counter(label: "concord_gateway_deliveries_total")
    let withheld = Counter(label: "concord_gateway_withheld_total")
    let slowConsumers = Counter(label: "concord_gateway_slow_consumers_total")
    let protocolErrors = Counter(label: "concord_gateway_protocol_errors_total")
}

