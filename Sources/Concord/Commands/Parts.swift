import BusCore
import Gateway
import Logging
import Intelligence
import Liaison
import Logistics
import Registry
import Training
import ServiceKit

/// The services this build runs, and how a host is configured for one.
enum Parts {
    static let services: [any DomainService] = [RegistryService(), LogisticsService(), IntelligenceService(), TrainingService(), LiaisonService()]

    static func service(named name: String) -> (any DomainService)? {
        services.first { $0.name == name }
    }

    static func hostConfiguration(for service: any DomainService, data: String, endpoints: BusEndpoints,
                                  catchUpBind: String, catchUpAdvertise: String?, heartbeatMs: Int) -> ServiceHost.Configuration {
        var configuration = ServiceHost.Configuration(
            databasePath: "\(data)/\(service.name).sqlite", endpoints: endpoints,
            logger: Logger(label: "concord.\(service.name)"))
        configuration.catchUpBind = catchUpBind
        configuration.catchUpAdvertise = catchUpAdvertise
        configuration.heartbeatInterval = .milliseconds(max(heartbeatMs, 10))
        return configuration
    }

    /// Every type partners may send: the catalogs of every service.
    static var catalog: MessageCatalog {
        services.reduce(MessageCatalog()) { $0.merging($1.catalog) }
    }

    static func gatewayConfiguration(host: String, options: GatewayOptions, endpoints: BusEndpoints) throws -> GatewayConfiguration {
        var configuration = GatewayConfiguration(endpoints: endpoints, catalog: catalog)
        configuration.host = host
        configuration.port = options.gatewayPort
        configuration.tls = try options.tls()
        configuration.maxPending = options.maxPending
        configuration.maxConnections = options.maxConnections
        configuration.maxConnectionsPerPartner = options.maxConnectionsPerPartner
        configuration.maxSubscriptions = options.maxSubscriptions
        configuration.serviceTimeout = .milliseconds(options.serviceTimeoutMs)
        configuration.logger = Logger(label: "concord.gateway")
        return configuration
    }
}
