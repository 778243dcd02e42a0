import ArgumentParser
import BusCore
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

    var endpoints: BusEndpoints {
        BusEndpoints(publish: busPublish, subscribe: busSubscribe, capture: busCapture)
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

    @Option(help: "Port of /healthz and /metrics (0: none). Env: CONCORD_METRICS_PORT.")
    var metricsPort = Int(EnvironmentKey.metricsPort.value(or: "9464")) ?? 9464

    /// The health and metrics server for this process, unless its port is 0.
    func operations(endpoints: BusEndpoints, context: ZMQContext, services: [String]) -> [any Service] {
        guard metricsPort > 0 else { return [] }
        return [OperationsServer(host: metricsHost, port: metricsPort, endpoints: endpoints, context: context,
                                 services: services, heartbeatInterval: .milliseconds(heartbeatMs))]
    }
}

/// The partner gateway's options, for `up` and `run gateway`.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Port partners connect to with a NATS client. Env: CONCORD_GATEWAY_PORT.")
    var gatewayPort = Int(EnvironmentKey.gatewayPort.value(or: "4222")) ?? 4222

    @Option(help: "PEM certificate chain; with --tls-key the gateway requires TLS. Env: CONCORD_TLS_CERT.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert. Env: CONCORD_TLS_KEY.")
    var tlsKey: String?

    @Option(help: "Bytes waiting for one partner before it is cut off as a slow consumer. Env: CONCORD_GATEWAY_MAX_PENDING.")
    var maxPending = Int(EnvironmentKey.maxPending.value(or: "8388608")) ?? 8_388_608

    @Option(help: "Milliseconds without a heartbeat before a service's requests get 503 no responders. Env: CONCORD_GATEWAY_SERVICE_TIMEOUT_MS.")
    var serviceTimeoutMs = Int(EnvironmentKey.serviceTimeout.value(or: "10000")) ?? 10_000

    func tls() throws -> GatewayConfiguration.TLSFiles? {
        let certificate = tlsCert ?? EnvironmentKey.tlsCertificate.value
        let key = tlsKey ?? EnvironmentKey.tlsKey.value
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return .init(certificate: certificate, privateKey: key)
        default: throw ValidationError("TLS needs both a certificate (--tls-cert) and a key (--tls-key)")
        }
    }
}

/// A failure at run time (not a usage mistake): printed as `Error: …` without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
