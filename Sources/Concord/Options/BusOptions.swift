import ArgumentParser
import BusCore

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
}
