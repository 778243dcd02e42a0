import BusCore
import Logging
import ServiceLifecycle

/// Runs the bus proxy as a lifecycle service.
final class ProxyService: Service, Sendable {
    let configuration: BusProxy.Configuration
    let context: ZMQContext

    init(configuration: BusProxy.Configuration, context: ZMQContext) {
        self.configuration = configuration
        self.context = context
    }

    func run() async throws {
        let proxy = try await BusProxy(configuration, context: context)
        configuration.logger.info("bus proxy listening", metadata: [
            "proxy.publish": "\(proxy.endpoints.publish)", "proxy.subscribe": "\(proxy.endpoints.subscribe)",
            "proxy.capture": "\(proxy.endpoints.capture)",
        ])
        try? await gracefulShutdown()
        await proxy.stop()
        let statistics = proxy.statistics
        configuration.logger.info("bus proxy stopped", metadata: [
            "proxy.forwarded": "\(statistics.forwarded)", "proxy.dropped": "\(statistics.dropped)",
        ])
    }
}
