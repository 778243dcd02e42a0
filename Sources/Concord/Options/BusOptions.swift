import ArgumentParser
import BusCore
import Foundation
import Gateway
import ServiceLifecycle

/// Where the bus proxy is, for every subcommand that talks to it.
struct BusOptions: ParsableArguments {
    @Option(help: "Proxy XSUB endpoint that publishers connect to. Env: CONCORD_BUS_PUBLISH.")
    var busPublish = EnvironmentKey.busPublish.value(or: "tcp://127.0.0.1:7701")

    @Option(help: "Proxy XPUB endpoint that subscribers connect to. Env: CONCORD_BUS_SUBSCRIBE.")
    var busSubscribe = EnvironmentKey.busSubscribe.value(or: "tcp://127.0.0.1:7702")

    @Option(help: "Proxy capture endpoint carrying a copy of every message. Env: CONCORD_BUS_CAPTURE.")
    var busCapture = EnvironmentKey.busCapture.value(or: "tcp://127.0.0.1:7703")

    @Option(help: "Proxy replay endpoint that cassettes are played into. Env: CONCORD_BUS_REPLAY.")
    var busReplay = EnvironmentKey.busReplay.value(or: "tcp://127.0.0.1:7704")

    @Option(help: "Folder of the mission's bus keys (identities.json and one key file per identity). Env: CONCORD_KEYS. Default: <data folder>/keys.")
    var keys: String?

    var endpoints: BusEndpoints {
        BusEndpoints(publish: busPublish, subscribe: busSubscribe, capture: busCapture, replay: busReplay)
    }

    /// The key folder: --keys, else CONCORD_KEYS, else `keys` in the data folder.
    func keyFolder(data: String? = nil) -> String {
        keys ?? EnvironmentKey.keys.value ?? ((data ?? EnvironmentKey.data.value(or: "./data")) as NSString).appendingPathComponent("keys")
    }

    /// `identity`'s keys and the mission's rights, read from the key folder.
    func security(as identity: String, data: String? = nil) throws -> BusSecurity {
        try Parts.security(folder: keyFolder(data: data), identity: identity)
    }

    /// The keys of the operator the CLI acts as (`--operator-name`, CONCORD_OPERATOR, default admin).
    func operatorSecurity(_ name: String? = nil) throws -> BusSecurity {
        try security(as: BusRights.operatorIdentity(name ?? EnvironmentKey.operatorName.value(or: "admin")))
    }
}

/// Options every long-running part shares.
struct PartOptions: ParsableArguments {
    @Option(help: "Data folder for the SQLite databases. Env: CONCORD_DATA.")
    var data = EnvironmentKey.data.value(or: "./data")

    @Option(help: "Heartbeat interval in milliseconds. Env: CONCORD_HEARTBEAT_MS.")
    var heartbeatMs = Int(EnvironmentKey.heartbeatMilliseconds.value(or: "1000")) ?? 1000

    @Option(help: "Log level (trace, debug, info, notice, warning, error). Env: CONCORD_LOG_LEVEL.")
    var logLevel = EnvironmentKey.logLevel.value(or: "info")

    @Option(help: "Interface /healthz and /metrics listen on. Env: CONCORD_METRICS_HOST.")
    var metricsHost = EnvironmentKey.metricsHost.value(or: "127.0.0.1")

    @Option(help: "Port of /healthz and /metrics: a number, 0 for any free one, or off. Env: CONCORD_METRICS_PORT.")
    var metricsPort = EnvironmentKey.metricsPort.value(or: "9464")

    @Option(name: .customLong("ready-file"), help: "Once ready, write every address this process listens on to this file, as JSON. Env: CONCORD_READY_FILE.")
    var readyFileOption: String?

    /// Where to write the ready report, if anywhere.
    var readyFile: String? { readyFileOption ?? EnvironmentKey.readyFile.value }

    @Option(help: "Milliseconds a replayed message waits for a full subscriber before that subscriber misses it (the bus part). Env: CONCORD_BUS_REPLAY_PATIENCE_MS.")
    var replayPatienceMs = Int(EnvironmentKey.replayPatience.value(or: "10000")) ?? 10_000

    func validate() throws {
        guard metricsPort == "off" || (Int(metricsPort).map { (0...65_535).contains($0) } ?? false) else {
            throw ValidationError("--metrics-port takes a port number, 0 for any free port, or off; not '\(metricsPort)'")
        }
        guard replayPatienceMs > 0 else { throw ValidationError("--replay-patience-ms must be positive") }
    }

    var replayPatience: Duration { .milliseconds(replayPatienceMs) }

    /// The health and metrics server for this process, unless it is off; its bus checks
    /// connect as `security`'s identity.
    func operations(endpoints: BusEndpoints, context: ZMQContext, security: BusSecurity, services: [String],
                    partChecks: [@Sendable () -> (healthy: Bool, line: String)] = []) -> OperationsServer? {
        guard let port = Int(metricsPort) else { return nil }
        return OperationsServer(host: metricsHost, port: port, endpoints: endpoints, context: context, security: security,
                                services: services, heartbeatInterval: .milliseconds(heartbeatMs), partChecks: partChecks)
    }
}

/// The partner gateway's options, for `up` and `run gateway`.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Port partners connect to with a NATS client; 0 picks a free one. Env: CONCORD_GATEWAY_PORT.")
    var gatewayPort = Int(EnvironmentKey.gatewayPort.value(or: "4222")) ?? 4222

    @Option(help: "PEM certificate chain; with --tls-key the gateway requires TLS. Env: CONCORD_TLS_CERT.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert. Env: CONCORD_TLS_KEY.")
    var tlsKey: String?

    @Option(help: "PEM file of the CA partners' client certificates must be signed by (mutual TLS); each certificate names its partner in a URI SAN urn:concord:partner:<CODE>. Env: CONCORD_TLS_CLIENT_CA.")
    var tlsClientCa: String?

    @Option(help: "Bytes waiting for one partner before it is cut off as a slow consumer. Env: CONCORD_GATEWAY_MAX_PENDING.")
    var maxPending = Int(EnvironmentKey.maxPending.value(or: "8388608")) ?? 8_388_608

    @Option(help: "Partner connections in all; one more gets 'maximum connections exceeded'. Env: CONCORD_GATEWAY_MAX_CONNECTIONS.")
    var maxConnections = Int(EnvironmentKey.maxConnections.value(or: "10000")) ?? 10_000

    @Option(help: "Signed-in connections of one partner. Env: CONCORD_GATEWAY_MAX_CONNECTIONS_PER_PARTNER.")
    var maxConnectionsPerPartner = Int(EnvironmentKey.maxConnectionsPerPartner.value(or: "64")) ?? 64

    @Option(help: "Subscriptions on one connection; one more gets 'maximum subscriptions exceeded'. Env: CONCORD_GATEWAY_MAX_SUBSCRIPTIONS.")
    var maxSubscriptions = Int(EnvironmentKey.maxSubscriptions.value(or: "10000")) ?? 10_000

    @Option(help: "Milliseconds without a heartbeat before a service's requests get 503 no responders. Env: CONCORD_GATEWAY_SERVICE_TIMEOUT_MS.")
    var serviceTimeoutMs = Int(EnvironmentKey.serviceTimeout.value(or: "10000")) ?? 10_000

    @Option(help: "Durable feed consumers one partner may hold over all streams. Env: CONCORD_FEED_MAX_CONSUMERS.")
    var feedMaxConsumers = Int(EnvironmentKey.feedMaxConsumers.value(or: "100")) ?? 100

    @Option(help: "Most unacknowledged messages a feed consumer may hold; a larger max_ack_pending is held to it. Env: CONCORD_FEED_MAX_ACK_PENDING.")
    var feedMaxAckPending = Int(EnvironmentKey.feedMaxAckPending.value(or: "10000")) ?? 10_000

    func tls() throws -> GatewayConfiguration.TLSFiles? {
        let certificate = tlsCert ?? EnvironmentKey.tlsCertificate.value
        let key = tlsKey ?? EnvironmentKey.tlsKey.value
        let clientCA = tlsClientCa ?? EnvironmentKey.tlsClientCA.value
        // Checked first: asked for mutual TLS without TLS, the gateway must not start in clear.
        if clientCA != nil, certificate == nil {
            throw ValidationError("--tls-client-ca needs TLS: give --tls-cert and --tls-key too")
        }
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return .init(certificate: certificate, privateKey: key, clientCA: clientCA)
        default: throw ValidationError("TLS needs both a certificate (--tls-cert) and a key (--tls-key)")
        }
    }
}

/// A failure at run time (not a usage mistake): printed as `Error: …` without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
