import Agents
import ArgumentParser
import BusCore
import Console
import Gateway
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// `concord up`: the embedded default, every part in one process.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the bus proxy and every service in one process on a local data folder.",
        discussion: "Listens on loopback TCP so other concord subcommands reach it from another terminal. Stop with Ctrl-C.")

    @OptionGroup var part: PartOptions
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var console: ConsoleOptions

    @Option(help: "Interface to listen on. Env: CONCORD_HOST.")
    var host = EnvironmentKey.host.value(or: "127.0.0.1")

    @Option(help: "Folder of the bus keys; created with a key per part and for operator admin (and CONCORD_OPERATOR) when missing. Env: CONCORD_KEYS. Default: <data>/keys.")
    var keys: String?

    @Option(help: "First of four proxy ports: publish, subscribe, capture, replay; 0 picks free ones. Env: CONCORD_BUS_PORT.")
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
        let keyFolder = keys ?? EnvironmentKey.keys.value ?? "\(part.data)/keys"
        let security = try Self.createKeys(folder: keyFolder)
        let context = try ZMQContext()
        // Other processes reach the bus over TCP; this process's own parts over inproc, which
        // skips TCP and ZeroMQ's I/O thread on every hop.
        let local = BusEndpoints.inProcess()
        var proxyConfiguration = BusProxy.Configuration(bind: BusEndpoints.tcp(host: host, basePort: busPort))
        proxyConfiguration.alsoBind = [local]
        proxyConfiguration.replayPatience = part.replayPatience
        proxyConfiguration.logger = Logger(label: "concord.proxy")
        proxyConfiguration.security = try security(BusSecurity.busIdentity)
        // In-process parts have no handshake: each gets its own publish socket (BusEndpoints.forIdentity).
        proxyConfiguration.localIdentities = Parts.services.map(\.source) + [BusRights.gatewayIdentity, BusSecurity.busIdentity]
        let proxy = try await ProxyService.start(proxyConfiguration, context: context,
                                                 hint: "another concord may be running; choose other ports with --bus-port (CONCORD_BUS_PORT), 0 for free ones")
        let hosts = try Parts.services.map { service in
            ServiceHost(service: service, configuration: Parts.hostConfiguration(
                for: service, data: part.data, endpoints: local, security: try security(service.source), catchUpBind: "tcp://\(host):*",
                catchUpAdvertise: nil, heartbeatMs: part.heartbeatMs), context: context)
        }
        let gatewayService = GatewayService(
            configuration: try Parts.gatewayConfiguration(host: host, options: gateway, endpoints: local, data: part.data,
                                                          security: try security(BusRights.gatewayIdentity)), context: context)
        let consoleService = try console.isOff ? nil : Self.console(
            console, host: host, gateway: gatewayService, operatorTokenFile: try ConsoleOptions.createOperatorToken(folder: keyFolder),
            health: BusHealth(endpoints: local, context: context, security: try security(BusSecurity.busIdentity),
                              services: Parts.services.map(\.name), heartbeatInterval: .milliseconds(part.heartbeatMs)))
        let operations = part.operations(endpoints: local, context: context, security: try security(BusSecurity.busIdentity), services: Parts.services.map(\.name),
                                         partChecks: [{ gatewayService.health() }] + (consoleService.map { console in [{ console.health() }] } ?? []))
        let announcement = ReadyAnnouncement(readyFile: part.readyFile, report: {
            var report = ReadyReport(part: "up")
            report.bus = proxy.proxy.endpoints
            report.keys = keyFolder
            for host in hosts { report.catchUp[host.service.name] = try await host.waitUntilReady() }
            let port = try await gatewayService.waitUntilReady()
            // Up means a partner's request is served: the gateway has heard every service.
            try await gatewayService.waitUntilHeard(hosts.map(\.service.name))
            report.gatewayPort = port
            report.gatewayURL = "\(gatewayService.configuration.tls == nil ? "nats" : "tls")://\(gatewayService.configuration.host):\(port)"
            if let consoleService {
                report.consolePort = try await consoleService.waitUntilReady()
                report.consoleURL = "http://\(consoleService.configuration.host):\(report.consolePort ?? 0)"
            }
            if let operations {
                report.metricsPort = try await operations.waitUntilReady()
                report.metricsURL = "http://\(operations.host):\(report.metricsPort ?? 0)"
            }
            return report
        }, announce: { [data = part.data] report in
            writeUnbuffered(Self.banner(report, data: data, services: hosts.map(\.service.name)))
        })
        let group = ServiceGroup(
            services: [proxy] + hosts + [gatewayService] + (consoleService.map { [$0] } ?? []) + (operations.map { [$0] } ?? []) + [announcement],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        try await group.run()
        _ = lock
        print("Concord stopped.")
    }

    /// The console, signing partners in to this process's gateway; its operator page reads the
    /// parts' heartbeats from the bus.
    static func console(_ options: ConsoleOptions, host: String, gateway: GatewayService, operatorTokenFile: String,
                        health: BusHealth) throws -> ConsoleService {
        var configuration = try options.configuration(host: host, gatewayHost: gateway.configuration.host, gatewayPort: 0,
                                                      gatewayTLS: gateway.configuration.tls != nil, operatorTokenFile: operatorTokenFile)
        if configuration.gatewayTLS != nil, options.consoleGatewayCa == nil {
            configuration.gatewayTLS = .init(caFile: gateway.configuration.tls?.certificate)
        }
        configuration.gatewayPortSource = { try await gateway.waitUntilReady() }
        configuration.onStart = { _ = await health.connect() }
        configuration.operatorStatus = {
            let gatewayHealth = gateway.health()
            return await health.operatorRows() + [.init(part: "gateway", health: gatewayHealth.healthy ? "up" : "catching up",
                                                         sequence: "-", lag: "-", deadLetters: "-")]
        }
        return ConsoleService(configuration: configuration)
    }

    /// Makes sure the key folder has a key for every part and the default operators (keeping the
    /// keys already there), and returns how to load one identity's security from it.
    static func createKeys(folder: String) throws -> (String) throws -> BusSecurity {
        let operators = Set(["admin"] + [EnvironmentKey.operatorName.value].compactMap { $0 })
        do {
            try BusKeyring.create(folder: folder, identities: Parts.identities(operators: operators.sorted()))
        } catch let error as CurveKeyError {
            throw CommandFailure(error.description)
        }
        return { identity in try Parts.security(folder: folder, identity: identity) }
    }

    /// What `concord up` prints once every part is ready.
    static func banner(_ report: ReadyReport, data: String, services: [String]) -> String {
        let bus = report.bus
        return """
            Concord is up.
              bus      publish \(bus?.publish ?? "-")  subscribe \(bus?.subscribe ?? "-")  capture \(bus?.capture ?? "-")  replay \(bus?.replay ?? "-")
              keys     \(report.keys ?? "-")   CURVE keys of every part and of operator admin (concord commands read them from here)
              services \(services.map { "\($0) (\(data)/\($0).sqlite)" }.joined(separator: ", "))
              gateway  \(report.gatewayURL ?? "-")   partners connect here with any NATS client (see docs/partners.md)
              console  \(report.consoleURL ?? "off")   the map in a browser: sign in as a partner, or as operator with \(report.keys ?? "<keys>")/console-operator.token
              health   \(report.metricsURL.map { "\($0)/healthz   metrics \($0)/metrics" } ?? "off")
            From another terminal:  concord partner list   ·   concord partner add --help   ·   concord sub --help
            Stop with Ctrl-C.

            """
    }
}
