import BusCore
import Foundation
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

    static func hostConfiguration(for service: any DomainService, data: String, endpoints: BusEndpoints, security: BusSecurity,
                                  catchUpBind: String, catchUpAdvertise: String?, heartbeatMs: Int) -> ServiceHost.Configuration {
        var configuration = ServiceHost.Configuration(
            databasePath: "\(data)/\(service.name).sqlite", endpoints: endpoints,
            logger: Logger(label: "concord.\(service.name)"))
        configuration.catchUpBind = catchUpBind
        configuration.catchUpAdvertise = catchUpAdvertise
        configuration.heartbeatInterval = .milliseconds(max(heartbeatMs, 10))
        configuration.security = security
        return configuration
    }

    /// Every identity on a mission's bus: the bus, each service, the gateway, the recorder, and
    /// the named operators.
    static func identities(operators: [String]) -> [String] {
        [BusSecurity.busIdentity] + services.map(\.source) + [BusRights.gatewayIdentity, BusRights.recorderIdentity, BusRights.consoleIdentity]
            + operators.map(BusRights.operatorIdentity)
    }

    /// The rights of every part of this build; every `operator/<name>` in the key list is an operator.
    static func rights(_ keyring: BusKeyring) -> BusRights {
        let operators = keyring.publicKeys.keys.filter { $0.hasPrefix("operator/") }.map { String($0.dropFirst(9)) }
        return BusRights.mission(services: services.map { BusRights.ServiceRole(name: $0.name, follows: $0.followedSources) },
                                 operators: operators.sorted())
    }

    /// `identity`'s keys and the mission's rights from the key folder, or a clear failure.
    static func security(folder: String, identity: String) throws -> BusSecurity {
        do {
            let keyring = try BusKeyring.load(folder: folder)
            return BusSecurity(identity: identity, keyPair: try keyring.keyPair(of: identity, folder: folder), keyring: keyring,
                               rights: rights(keyring))
        } catch let error as CurveKeyError {
            throw CommandFailure(error.description)
        }
    }

    /// Every type partners may send: the catalogs of every service.
    static var catalog: MessageCatalog {
        services.reduce(MessageCatalog()) { $0.merging($1.catalog) }
    }

    static func gatewayConfiguration(host: String, options: GatewayOptions, endpoints: BusEndpoints, data: String,
                                     security: BusSecurity) throws -> GatewayConfiguration {
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
        configuration.security = security
        var feeds = FeedConfiguration(databasePath: (data as NSString).appendingPathComponent("gateway.sqlite"))
        feeds.maxConsumersPerPartner = options.feedMaxConsumers
        feeds.maxAckPendingLimit = options.feedMaxAckPending
        configuration.feeds = feeds
        return configuration
    }
}
