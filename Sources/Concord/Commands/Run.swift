import Agents
import ArgumentParser
import BusCore
import Console
import Gateway
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// `concord run <part>`: one part alone, with TCP endpoints from flags or environment.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one part: bus, gateway, console, recorder, or a service (\(Parts.services.map(\.name).joined(separator: ", "))).",
        discussion: "What compose runs. `bus` binds the four proxy endpoints; a service connects to them and keeps its database in the data folder; `gateway` serves partners; `console` serves browsers and signs partners in to the gateway at --gateway-host/--gateway-port. Once ready, the part prints one line `ready {…}` with every address it listens on (and writes it to --ready-file).")

    @Argument(help: "The part to run: bus, gateway, console, recorder, \(Parts.services.map(\.name).joined(separator: ", ")).")
    var part: String

    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var console: ConsoleOptions

    @Option(help: "Interface the gateway listens on. Env: CONCORD_GATEWAY_HOST.")
    var gatewayHost = EnvironmentKey.gatewayHost.value(or: "127.0.0.1")

    @OptionGroup var bus: BusOptions
    @OptionGroup var options: PartOptions
    @OptionGroup var record: RecordOptions

    @Option(help: "Where a service's catch-up socket binds. Env: CONCORD_CATCHUP_BIND.")
    var catchUpBind = EnvironmentKey.catchUpBind.value(or: "tcp://127.0.0.1:*")

    @Option(help: "Catch-up endpoint to advertise in heartbeats (default: the bound one). Env: CONCORD_CATCHUP_ADVERTISE.")
    var catchUpAdvertise: String?

    func validate() throws {
        guard ["bus", "gateway", "console", "recorder"].contains(part) || Parts.service(named: part) != nil else {
            throw ValidationError("unknown part '\(part)'; choose bus, gateway, console, recorder or one of: \(Parts.services.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel)
        let logger = Logger(label: "concord.run")
        let context = try ZMQContext()
        let identity = switch part {
        case "bus": BusSecurity.busIdentity
        case "gateway": BusRights.gatewayIdentity
        case "recorder": BusRights.recorderIdentity
        // The console's key only reads heartbeats, for its operator page.
        case "console": BusRights.consoleIdentity
        default: "concord/\(part)"
        }
        // Every part is on the bus as its own key; without keys nothing starts (see docs/security.md).
        let security = try bus.security(as: identity, data: options.data)
        // The bus part checks itself through its own endpoints, reached on loopback when it binds all interfaces.
        var probeEndpoints = bus.endpoints
        let service: any Service
        var partChecks: [@Sendable () -> (healthy: Bool, line: String)] = []
        let ready: @Sendable () async throws -> ReadyReport
        if part == "bus" {
            var configuration = BusProxy.Configuration(bind: bus.endpoints)
            configuration.replayPatience = options.replayPatience
            configuration.logger = Logger(label: "concord.proxy")
            configuration.security = security
            let proxy = try await ProxyService.start(configuration, context: context,
                                                     hint: "set --bus-publish, --bus-subscribe, --bus-capture and --bus-replay (CONCORD_BUS_*) to free addresses; port * picks one")
            let bound = proxy.proxy.endpoints
            probeEndpoints = bound.publish.contains("//0.0.0.0:") || bound.publish.contains("//*:") ? bound.bindable(host: "127.0.0.1") : bound
            service = proxy
            ready = { [part] in
                var report = ReadyReport(part: part)
                report.bus = proxy.proxy.endpoints
                return report
            }
        } else if part == "recorder" {
            var configuration = try record.configuration(capture: bus.endpoints.capture, security: security)
            configuration.logger = Logger(label: "concord.recorder")
            let recorder = Recorder(configuration: configuration, context: context)
            service = recorder
            ready = { [part] in
                try await recorder.waitUntilReady()
                return ReadyReport(part: part)
            }
        } else if part == "console" {
            guard !console.isOff else { throw ValidationError("run console needs a --console-port") }
            let health = BusHealth(endpoints: bus.endpoints, context: context, security: security, services: Parts.services.map(\.name),
                                   heartbeatInterval: .milliseconds(options.heartbeatMs))
            var configuration = try console.configuration(host: gatewayHost, gatewayHost: gatewayHost, gatewayPort: gateway.gatewayPort,
                                                          gatewayTLS: false, operatorTokenFile: nil)
            configuration.onStart = { _ = await health.connect() }
            configuration.operatorStatus = { await health.operatorRows() }
            let consoleService = ConsoleService(configuration: configuration)
            service = consoleService
            partChecks = [{ consoleService.health() }]
            ready = { [part] in
                var report = ReadyReport(part: part)
                let port = try await consoleService.waitUntilReady()
                report.consolePort = port
                report.consoleURL = "http://\(consoleService.configuration.host):\(port)"
                return report
            }
        } else if part == "gateway" {
            try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
            let gatewayService = GatewayService(configuration: try Parts.gatewayConfiguration(
                host: gatewayHost, options: gateway, endpoints: bus.endpoints, data: options.data, security: security), context: context)
            service = gatewayService
            partChecks = [{ gatewayService.health() }]
            ready = { [part] in
                var report = ReadyReport(part: part)
                let port = try await gatewayService.waitUntilReady()
                report.gatewayPort = port
                report.gatewayURL = "\(gatewayService.configuration.tls == nil ? "nats" : "tls")://\(gatewayService.configuration.host):\(port)"
                return report
            }
        } else {
            guard let domain = Parts.service(named: part) else { throw ValidationError("unknown part '\(part)'") }
            try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
            let host = ServiceHost(service: domain, configuration: Parts.hostConfiguration(
                for: domain, data: options.data, endpoints: bus.endpoints, security: security, catchUpBind: catchUpBind,
                catchUpAdvertise: catchUpAdvertise ?? EnvironmentKey.catchUpAdvertise.value, heartbeatMs: options.heartbeatMs), context: context)
            service = host
            ready = { [part] in
                var report = ReadyReport(part: part)
                report.catchUp[part] = try await host.waitUntilReady()
                return report
            }
        }
        let services = Parts.service(named: part).map { [$0.name] } ?? []
        let operations = options.operations(endpoints: probeEndpoints, context: context, security: security, services: services, partChecks: partChecks)
        let announcement = ReadyAnnouncement(readyFile: options.readyFile, report: {
            var report = try await ready()
            report.keys = bus.keyFolder(data: options.data)
            if let operations {
                let port = try await operations.waitUntilReady()
                report.metricsPort = port
                report.metricsURL = "http://\(operations.host):\(port)"
            }
            return report
        }, announce: { report in writeUnbuffered("ready \(report.json)\n") })
        let group = ServiceGroup(services: [service] + (operations.map { [$0] } ?? []) + [announcement],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
