import BusCore
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

    /// Waits until partners can connect; returns the port listened on.
    public func waitUntilReady() async throws -> Int { try await ready.wait() }

    public func run() async throws {
        let logger = configuration.logger
        let bus: BusConnection
        let server: any Channel
        do {
            var busConfiguration = BusConnection.Configuration(endpoints: configuration.endpoints)
            busConfiguration.logger = logger
            bus = try await BusConnection.connect(busConfiguration, context: context)
            core.attach(bus)
            server = try await bind()
        } catch {
            ready.fail(error)
            throw error
        }
        let registry = try RegistryFollower.consumer(directory: core.directory, connection: bus, logger: logger)
        for prefix in registry.subscriptions { bus.subscribe(prefix) }
        let port = server.localAddress?.port ?? configuration.port
        logger.info("gateway listening", metadata: ["gateway.address": "\(configuration.host):\(port)", "gateway.tls": "\(configuration.tls != nil)"])
        ready.succeed(port)

        await withDiscardingTaskGroup { group in
            group.addTask { [core] in
                var iterator = bus.messages.makeAsyncIterator()
                while let first = await iterator.next() {
                    let burst = [first] + bus.messages.drainAvailable(max: 1_023)
                    core.deliver(burst)
                    let registryEvents = burst.filter { registry.wants($0.topic) }
                    if !registryEvents.isEmpty { await registry.handle(registryEvents) }
                }
            }
            try? await gracefulShutdown()
            try? await server.close()
            core.closeAll()
            bus.finishReceiving()
        }
        await bus.close()
        logger.info("gateway stopped")
    }

    private func bind() async throws -> any Channel {
        let sslContext = try configuration.tls.map { files in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: files.privateKey, format: .pem))))
        }
        let core = self.core
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
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

/// Adds the TLS handler right after the plaintext INFO has been written.
final class TLSAfterInfoHandler: ChannelOutboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked: used on its channel's event loop only.
    typealias OutboundIn = ByteBuffer
    private let sslContext: NIOSSLContext

    init(context: NIOSSLContext) { sslContext = context }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        context.flush()
        let ssl = NIOSSLServerHandler(context: sslContext)
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
        try? context.pipeline.syncOperations.addHandler(ssl, position: .first)
    }
}

