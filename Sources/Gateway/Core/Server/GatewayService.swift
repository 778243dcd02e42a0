import BusCore
import Glibc
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The partner gateway as a lifecycle service: a NATS-protocol TCP server bridged onto the bus.
public final class GatewayService: Service, Sendable {
    public let configuration: GatewayConfiguration
    let context: ZMQContext
    let core: GatewayCore
    private let boundPort = Mutex<Int?>(nil)
    private let ready = ReadySignal<Int>()

    public init(configuration: GatewayConfiguration, context: ZMQContext) {
        var configuration = configuration
        configuration.catalog = configuration.catalog.merging(GatewayCatalog.catalog)
        self.configuration = configuration
        self.context = context
        core = GatewayCore(configuration: configuration, directory: PartnerDirectory())
    }

    /// Waits until partners can connect and sign in (the partner directory has caught up with the
    /// registry's journal); returns the port listened on.
    public func waitUntilReady() async throws -> Int { try await ready.wait() }

    /// What /healthz says of the gateway: healthy once the partner directory has caught up (so
    /// no valid credential is refused), with a line saying so.
    public func health() -> (healthy: Bool, line: String) {
        ready.isReady ? (true, "gateway: partner directory caught up with the registry")
                      : (false, "gateway: partner directory catching up with the registry")
    }

    /// Waits until the gateway has heard a heartbeat of every one of `services`, so that their
    /// requests are served and none gets 503 no responders.
    public func waitUntilHeard(_ services: [String]) async throws {
        while !services.allSatisfy(core.isLive) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public func run() async throws {
        let logger = configuration.logger
        let bus: BusConnection
        let server: any Channel
        // The partner port first: a taken port stops the gateway at once, before the bus wait.
        do {
            server = try await bind()
        } catch {
            ready.fail(error)
            throw error
        }
        do {
            var busConfiguration = BusConnection.Configuration(endpoints: configuration.endpoints)
            busConfiguration.logger = logger
            busConfiguration.security = configuration.security
            bus = try await BusConnection.connect(busConfiguration, context: context)
        } catch {
            try? await server.close()
            ready.fail(error)
            throw error
        }
        core.attach(bus)
        let registry = try RegistryFollower.consumer(directory: core.directory, connection: bus, logger: logger)
        for prefix in registry.subscriptions { bus.subscribe(prefix) }
        let feeds: FeedService?
        do {
            feeds = try configuration.feeds.map { try FeedService(configuration: $0, core: core, bus: bus, logger: logger) }
        } catch {
            try? await server.close()
            await bus.close()
            ready.fail(error)
            throw error
        }
        let port = server.localAddress?.port ?? configuration.port
        logger.info("gateway listening", metadata: ["gateway.address": "\(configuration.host):\(port)", "gateway.tls": "\(configuration.tls != nil)"])

        await withDiscardingTaskGroup { group in
            group.addTask { [ready, logger] in
                // Ready once the partner directory holds what the registry had when last heard:
                // before that, valid credentials would be refused.
                while !Task.isCancelled, !(await registry.hasCaughtUp(with: RegistryFollower.source)) {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                guard !Task.isCancelled else { return }
                logger.info("gateway ready: the partner directory has caught up with the registry")
                feeds?.directoryReady()
                ready.succeed(port)
            }
            if let feeds { feeds.start(in: &group) }
            group.addTask { [core] in
                var iterator = bus.messages.makeAsyncIterator()
                while let first = await iterator.next() {
                    let burst = [first] + bus.messages.drainAvailable(max: 1_023)
                    core.deliver(burst)
                    feeds?.offer(burst)
                    let registryEvents = burst.filter { registry.wants($0.topic) }
                    if !registryEvents.isEmpty { await registry.handle(registryEvents) }
                }
            }
            try? await gracefulShutdown()
            try? await server.close()
            core.closeAll()
            feeds?.stop()
            bus.finishReceiving()
            group.cancelAll()
        }
        await bus.close()
        logger.info("gateway stopped")
    }

    private func bind() async throws -> any Channel {
        let sslContext = try configuration.tls.map { files in
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: files.privateKey, format: .pem)))
            // swift-nio-ssl's default would accept TLS 1.0.
            tls.minimumTLSVersion = .tlsv12
            if let clientCA = files.clientCA {
                tls.trustRoots = .file(clientCA)
                tls.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: tls)
        }
        let core = self.core
        do {
            return try await serve(core: core, sslContext: sslContext)
        } catch {
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw ListenError(what: "partners (the gateway)", address: "\(configuration.host):\(configuration.port)", reason: reason,
                              hint: "set --gateway-port (CONCORD_GATEWAY_PORT) to a free port, 0 for any free one")
        }
    }

    private func serve(core: GatewayCore, sslContext: NIOSSLContext?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // NATS sends INFO in clear before the client starts TLS, so TLS goes in once INFO is out.
                    let handler = PartnerChannelHandler(core: core)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            TLSAfterInfoHandler(context: sslContext), position: .first)
                    }
                }
            }
            .bind(host: configuration.host, port: configuration.port).get()
    }
}
