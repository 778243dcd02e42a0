import ArgumentParser
import BusCore
import Gateway
import Foundation
import Glibc
import Logging
import Registry
import ServiceKit
import ServiceLifecycle

/// `concord up`: the embedded default, every part in one process.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the bus proxy and every service in one process on a local data folder.",
        discussion: "Listens on loopback TCP so other concord subcommands reach it from another terminal. Stop with Ctrl-C.")

    @OptionGroup var part: PartOptions
    @OptionGroup var gateway: GatewayOptions

    @Option(help: "Interface to listen on. Env: CONCORD_HOST.")
    var host = EnvironmentKey.host.value(or: "127.0.0.1")

    @Option(help: "First of three proxy ports: publish, subscribe, capture. Env: CONCORD_BUS_PORT.")
    var busPort = Int(EnvironmentKey.busPort.value(or: "7701")) ?? 7701

    func run() async throws {
        LogSetup.bootstrap(level: part.logLevel)
        let logger = Logger(label: "concord.up")
        let lock: DataFolderLock
        do {
            lock = try DataFolderLock(folder: part.data)
        } catch let error as DataFolderLock.Held {
            throw CommandFailure(error.description)
        }
        let context = try ZMQContext()
        let endpoints = BusEndpoints.tcp(host: host, basePort: busPort)
        // Other processes reach the bus over TCP; this process's own parts over inproc, which
        // skips TCP and ZeroMQ's I/O thread on every hop.
        let local = BusEndpoints.inProcess()
        var proxyConfiguration = BusProxy.Configuration(bind: endpoints)
        proxyConfiguration.alsoBind = [local]
        proxyConfiguration.logger = Logger(label: "concord.proxy")
        let hosts = Parts.services.map { service in
            ServiceHost(service: service, configuration: Parts.hostConfiguration(
                for: service, data: part.data, endpoints: local, catchUpBind: "tcp://\(host):*",
                catchUpAdvertise: nil, heartbeatMs: part.heartbeatMs), context: context)
        }
        let gatewayService = GatewayService(
            configuration: try Parts.gatewayConfiguration(host: host, options: gateway, endpoints: local), context: context)
        let announcer = Announcer(hosts: hosts, gateway: gatewayService, endpoints: endpoints, data: part.data,
                                  metrics: part.metricsPort > 0 ? "http://\(part.metricsHost):\(part.metricsPort)" : nil)
        let operations = part.operations(endpoints: local, context: context, services: Parts.services.map(\.name))
        let group = ServiceGroup(
            services: [ProxyService(configuration: proxyConfiguration, context: context)] + hosts + [gatewayService] + operations + [announcer],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        try await group.run()
        _ = lock
        print("Concord stopped.")
    }
}

/// Says what runs and where once every service is taking commands.
struct Announcer: Service {
    let hosts: [ServiceHost]
    let gateway: GatewayService
    let endpoints: BusEndpoints
    let data: String
    let metrics: String?

    func run() async throws {
        for host in hosts { try await host.waitUntilReady() }
        let port = try await gateway.waitUntilReady()
        let scheme = gateway.configuration.tls == nil ? "nats" : "tls"
        let gatewayURL = "\(scheme)://\(gateway.configuration.host):\(port)"
        let services = hosts.map { "\($0.service.name) (\(data)/\($0.service.name).sqlite)" }.joined(separator: ", ")
        // Straight to the descriptor: stdio would hold this back when output is a pipe or a log.
        writeUnbuffered("""
            Concord is up.
              bus      publish \(endpoints.publish)  subscribe \(endpoints.subscribe)  capture \(endpoints.capture)
              services \(services)
              gateway  \(gatewayURL)   partners connect here with any NATS client (see docs/partners.md)
              health   \(metrics.map { "\($0)/healthz   metrics \($0)/metrics" } ?? "off")
            From another terminal:  concord partner list   ·   concord partner add --help   ·   concord sub --help
            Stop with Ctrl-C.

            """)
        try? await gracefulShutdown()
    }
}

/// Writes to standard output without stdio's buffer.
func writeUnbuffered(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = Glibc.write(1, bytes.baseAddress, bytes.count) }
}
