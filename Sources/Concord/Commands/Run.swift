import Agents
import ArgumentParser
import BusCore
import Gateway
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// `concord run <part>`: one part alone, with TCP endpoints from flags or environment.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one part: bus, gateway, recorder, or a service (\(Parts.services.map(\.name).joined(separator: ", "))).",
        discussion: "What compose runs. `bus` binds the three proxy endpoints; a service connects to them and keeps its database in the data folder; `gateway` serves partners.")

    @Argument(help: "The part to run: bus, gateway, recorder, \(Parts.services.map(\.name).joined(separator: ", ")).")
    var part: String

    @OptionGroup var gateway: GatewayOptions

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
        guard ["bus", "gateway", "recorder"].contains(part) || Parts.service(named: part) != nil else {
            throw ValidationError("unknown part '\(part)'; choose bus, gateway, recorder or one of: \(Parts.services.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel)
        let logger = Logger(label: "concord.run")
        let context = try ZMQContext()
        let service: any Service
        if part == "bus" {
            var configuration = BusProxy.Configuration(bind: bus.endpoints)
            configuration.logger = Logger(label: "concord.proxy")
            service = ProxyService(configuration: configuration, context: context)
        } else if part == "recorder" {
            var configuration = try record.configuration(capture: bus.endpoints.capture)
            configuration.logger = Logger(label: "concord.recorder")
            service = Recorder(configuration: configuration, context: context)
        } else if part == "gateway" {
            service = GatewayService(configuration: try Parts.gatewayConfiguration(
                host: gatewayHost, options: gateway, endpoints: bus.endpoints), context: context)
        } else {
            let domain = Parts.service(named: part)!
            try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
            service = ServiceHost(service: domain, configuration: Parts.hostConfiguration(
                for: domain, data: options.data, endpoints: bus.endpoints, catchUpBind: catchUpBind,
                catchUpAdvertise: catchUpAdvertise ?? EnvironmentKey.catchUpAdvertise.value, heartbeatMs: options.heartbeatMs), context: context)
        }
        let services = Parts.service(named: part).map { [$0.name] } ?? []
        // The bus part checks itself through its own endpoints, reached on loopback when it binds all interfaces.
        let probeEndpoints = part == "bus" ? bus.endpoints.bindable(host: "127.0.0.1") : bus.endpoints
        let group = ServiceGroup(services: [service] + options.operations(endpoints: probeEndpoints, context: context, services: services),
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
