import BusCore
import Logging
import ServiceLifecycle

/// Runs a bus proxy, bound before the service group starts, as a lifecycle service.
final class ProxyService: Service, Sendable {
    let proxy: BusProxy
    let logger: Logger

    private init(proxy: BusProxy, logger: Logger) {
        self.proxy = proxy
        self.logger = logger
    }

    /// Binds the proxy's sockets now, so a taken address stops the command at once with
    /// `hint` saying which option to change.
    static func start(_ configuration: BusProxy.Configuration, context: ZMQContext, hint: String) async throws -> ProxyService {
        do {
            let proxy = try await BusProxy(configuration, context: context)
            return ProxyService(proxy: proxy, logger: configuration.logger)
        } catch var error as ListenError {
            error.hint = hint
            throw error
        }
    }

    func run() async throws {
        logger.info("bus proxy listening", metadata: [
            "proxy.publish": "\(proxy.endpoints.publish)", "proxy.subscribe": "\(proxy.endpoints.subscribe)",
            "proxy.capture": "\(proxy.endpoints.capture)", "proxy.replay": "\(proxy.endpoints.replay)",
        ])
        try? await gracefulShutdown()
        await proxy.stop()
        let statistics = proxy.statistics
        logger.info("bus proxy stopped", metadata: [
            "proxy.forwarded": "\(statistics.forwarded)", "proxy.dropped": "\(statistics.dropped)",
            "proxy.replayed": "\(statistics.replayed)", "proxy.replay_dropped": "\(statistics.replayDropped)",
        ])
    }
}
