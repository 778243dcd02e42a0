import Foundation

/// Every environment variable Concord reads, in one place (documented in docs/configuration.md).
enum EnvironmentKey: String, CaseIterable {
    /// Data folder for `up` and for `run <service>` (SQLite files, lock file).
    case data = "CONCORD_DATA"
    /// Folder of the mission's bus keys (`identities.json` and key files); default `<data>/keys`.
    case keys = "CONCORD_KEYS"
    /// Interface `concord up` listens on.
    case host = "CONCORD_HOST"
    /// First of the four proxy ports of `concord up` (publish, subscribe, capture, replay); 0 for free ones.
    case busPort = "CONCORD_BUS_PORT"
    /// Proxy XSUB endpoint: `run bus` binds it, every other part connects to it.
    case busPublish = "CONCORD_BUS_PUBLISH"
    /// Proxy XPUB endpoint: `run bus` binds it, every other part connects to it.
    case busSubscribe = "CONCORD_BUS_SUBSCRIBE"
    /// Proxy capture endpoint: `run bus` binds it, the recorder connects to it.
    case busCapture = "CONCORD_BUS_CAPTURE"
    /// Proxy replay endpoint: `run bus` binds it, `concord replay` connects to it.
    case busReplay = "CONCORD_BUS_REPLAY"
    /// Milliseconds a replayed message waits for a full subscriber before that subscriber misses it.
    case replayPatience = "CONCORD_BUS_REPLAY_PATIENCE_MS"
    /// A file a long-running part writes, once it is ready, with every address it listens on.
    case readyFile = "CONCORD_READY_FILE"
    /// Where a service's catch-up ROUTER binds.
    case catchUpBind = "CONCORD_CATCHUP_BIND"
    /// The catch-up endpoint a service advertises in its heartbeats, when other hosts must reach it.
    case catchUpAdvertise = "CONCORD_CATCHUP_ADVERTISE"
    /// Heartbeat interval in milliseconds.
    case heartbeatMilliseconds = "CONCORD_HEARTBEAT_MS"
    /// Interface the gateway listens on for partners (`run gateway`).
    case gatewayHost = "CONCORD_GATEWAY_HOST"
    /// Port the gateway listens on for partners.
    case gatewayPort = "CONCORD_GATEWAY_PORT"
    /// PEM certificate chain for the gateway's TLS; with the key, TLS is required.
    case tlsCertificate = "CONCORD_TLS_CERT"
    /// PEM private key for the gateway's TLS.
    case tlsKey = "CONCORD_TLS_KEY"
    /// The CA partners' client certificates must be signed by (mutual TLS).
    case tlsClientCA = "CONCORD_TLS_CLIENT_CA"
    /// Bytes waiting for one partner before it is cut off as a slow consumer.
    case maxPending = "CONCORD_GATEWAY_MAX_PENDING"
    /// Partner connections the gateway holds in all.
    case maxConnections = "CONCORD_GATEWAY_MAX_CONNECTIONS"
    /// Signed-in connections of one partner.
    case maxConnectionsPerPartner = "CONCORD_GATEWAY_MAX_CONNECTIONS_PER_PARTNER"
    /// Subscriptions on one partner connection.
    case maxSubscriptions = "CONCORD_GATEWAY_MAX_SUBSCRIPTIONS"
    /// Milliseconds without a heartbeat after which the gateway answers a service's requests with 503.
    case serviceTimeout = "CONCORD_GATEWAY_SERVICE_TIMEOUT_MS"
    /// Durable feed consumers one partner may hold.
    case feedMaxConsumers = "CONCORD_FEED_MAX_CONSUMERS"
    /// The highest `max_ack_pending` a feed consumer may ask for.
    case feedMaxAckPending = "CONCORD_FEED_MAX_ACK_PENDING"
    /// Gateway URL for `sub`, `pub`, `request` and `scenario`, e.g. `nats://127.0.0.1:4222`.
    case gatewayURL = "CONCORD_GATEWAY_URL"
    /// The CA (PEM) that signed a TLS gateway's certificate, for `sub`, `pub`, `request`.
    case tlsCA = "CONCORD_TLS_CA"
    /// A partner's token for `sub`, `pub`, `request`.
    case token = "CONCORD_TOKEN"
    /// A partner's user for `sub`, `pub`, `request` (with CONCORD_PASSWORD).
    case user = "CONCORD_USER"
    /// The password of CONCORD_USER.
    case password = "CONCORD_PASSWORD"
    /// The cassette `run recorder` and `record` write.
    case recordOut = "CONCORD_RECORD_OUT"
    /// Comma-separated topic prefixes the recorder keeps (all when unset).
    case recordTopics = "CONCORD_RECORD_TOPICS"
    /// Partner code: the recorder keeps only what that partner could receive.
    case recordReleasableTo = "CONCORD_RECORD_RELEASABLE_TO"
    /// Highest classification the recorder keeps (the partner's clearance with CONCORD_RECORD_RELEASABLE_TO).
    case recordMaxClassification = "CONCORD_RECORD_MAX_CLASSIFICATION"
    /// Interface of the /healthz and /metrics HTTP server.
    case metricsHost = "CONCORD_METRICS_HOST"
    /// Port of the /healthz and /metrics HTTP server; 0 turns it off.
    case metricsPort = "CONCORD_METRICS_PORT"
    /// The member of the mission's staff that `concord partner`, `unit` and `scenario` act as
    /// (`operator/<name>`); `admin`, the administrator a fresh deployment starts with, when unset.
    case operatorName = "CONCORD_OPERATOR"
    /// Port the console serves browsers on (`up` and `run console`); 0 picks a free one, `off` serves none.
    case consolePort = "CONCORD_CONSOLE_PORT"
    /// Interface the console listens on; default the same as the gateway's.
    case consoleHost = "CONCORD_CONSOLE_HOST"
    /// A tile server URL template the console's map draws under its layers (none: a graticule).
    case consoleTiles = "CONCORD_CONSOLE_TILES"
    /// File holding the console's operator token; `up` creates `<keys>/console-operator.token`.
    case consoleOperatorTokenFile = "CONCORD_CONSOLE_OPERATOR_TOKEN_FILE"
    /// Hours a console session lasts after sign-in.
    case consoleSessionHours = "CONCORD_CONSOLE_SESSION_HOURS"
    /// Log level: trace, debug, info, notice, warning, error, critical.
    case logLevel = "CONCORD_LOG_LEVEL"

    /// The variable's value, if set and not empty.
    var value: String? {
        guard let value = ProcessInfo.processInfo.environment[rawValue], !value.isEmpty else { return nil }
        return value
    }

    func value(or fallback: String) -> String { value ?? fallback }
}
