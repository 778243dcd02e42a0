import BusCore
import Logging
import Registry
import ServiceKit

/// The services this build runs, and how a host is configured for one.
enum Parts {
    static let services: [any DomainService] = [RegistryService()]

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
}
