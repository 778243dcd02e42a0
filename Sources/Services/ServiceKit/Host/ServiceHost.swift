import BusCore
import Foundation
import GRDB
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs one domain service on the bus: its store, its journal as an event source, its command
/// and query intake, and a consumer for the sources it follows. A swift-service-lifecycle
/// `Service`: it stops taking work on graceful shutdown, finishes what it holds, and closes.
public final class ServiceHost: Service, Sendable {
    /// How the host is set up.
    public struct Configuration: Sendable {
        /// The SQLite file of the service.
        public var databasePath: String
        public var endpoints: BusEndpoints
        /// Where the catch-up ROUTER binds; `tcp://127.0.0.1:*` picks a free port.
        public var catchUpBind = "tcp://127.0.0.1:*"
        /// The catch-up endpoint heartbeats advertise, when it differs from the bound one (containers).
        public var catchUpAdvertise: String?
        public var heartbeatInterval: Duration = .seconds(1)
        public var environment = ServiceEnvironment()
        public var logger: Logger
        /// On a secure bus: the service's identity (`concord/<service>`) and keys.
        public var security: BusSecurity?

        public init(databasePath: String, endpoints: BusEndpoints, logger: Logger) {
            self.databasePath = databasePath
            self.endpoints = endpoints
            self.logger = logger
        }
    }

    public let service: any DomainService
    let configuration: Configuration
    let context: ZMQContext
    let catalog: MessageCatalog
    private let ready = ReadySignal<String?>()
    private let stopping = Atomic<Bool>(false)
    private let commandTimer: Timer
    private let rejectedCounter: Counter

    public init(service: any DomainService, configuration: Configuration, context: ZMQContext) {
        self.service = service
        self.configuration = configuration
        self.context = context
        catalog = service.catalog.merging(MessageCatalog([Heartbeat.messageType] + StaffRoles.messageTypes))
        commandTimer = Timer(label: "concord_command_duration_seconds", dimensions: [("service", service.name)])
        rejectedCounter = Counter(label: "concord_commands_rejected_total", dimensions: [("service", service.name)])
    }

    /// Waits until the service is connected and taking commands; returns the endpoint its
    /// catch-up socket is bound to.
    @discardableResult
    public func waitUntilReady() async throws -> String? { try await ready.wait() }

    public func run() async throws {
        let logger = configuration.logger
        let database: DatabasePool
        let connection: BusConnection
        do {
            database = try ServiceStore.open(path: configuration.databasePath, migrations: service.registerMigrations)
            var busConfiguration = BusConnection.Configuration(endpoints: configuration.endpoints,
                                                               catchUpBind: configuration.catchUpBind)
            busConfiguration.logger = logger
            busConfiguration.security = configuration.security
            connection = try await BusConnection.connect(busConfiguration, context: context)
        } catch {
            ready.fail(error)
            throw error
        }
        let source = EventSource(source: service.source, connection: connection, database: database,
                                 heartbeatInterval: configuration.heartbeatInterval,
                                 advertisedEndpoint: configuration.catchUpAdvertise, logger: logger)
        let follows = service.followedSources
        let consumer = follows.isEmpty ? nil : Consumer(
            part: service.name, follows: follows, connection: connection, database: database,
            catalog: catalog, logger: logger, apply: { [service, catalog, environment = configuration.environment] event, db in
                if event.source == StaffRoles.follow.source, StaffRoles.follow.types?.contains(event.type) == true {
                    try StaffRoles.apply(event, in: db)
                    return
                }
                let outbox = Outbox()
                // What a reaction emits is computed from the event it reacts to: that event's
                // label is joined into each of its outputs unless the reaction says what it used.
                try service.react(to: event, context: CommandContext(command: event, db: db, source: source,
                                                                     environment: environment, outbox: outbox, catalog: catalog,
                                                                     trigger: Label(of: event)))
                // Published once the consumer's transaction commits; a reaction that threw rolled back
                // with its savepoint and registered nothing.
                let messages = outbox.messages
                if !messages.isEmpty { db.afterNextTransaction { _ in source.publish(messages) } }
            })
        let intake = CommandIntake(service: service, commands: service.commands, queries: service.queries, catalog: catalog, database: database, source: source,
                                   connection: connection, environment: configuration.environment, logger: logger,
                                   timer: commandTimer, rejected: rejectedCounter)
        connection.subscribe("cmd.\(service.name).")
        connection.subscribe("query.\(service.name).")
        for prefix in consumer?.subscriptions ?? [] { connection.subscribe(prefix) }
        logger.info("service started", metadata: [
            "service.name": "\(service.name)", "service.database": "\(configuration.databasePath)",
            "service.catchup": "\(connection.catchUpEndpoint ?? "-")",
        ])
        ready.succeed(connection.catchUpEndpoint)

        await withDiscardingTaskGroup { group in
            group.addTask { await source.serveCatchUp() }
            group.addTask { [self, environment = configuration.environment] in
                await source.sendHeartbeats(makeEnvelope: { beat in
                    // Heartbeats come with the wall clock, not the service's id generator: a fixed
                    // generator then serves only what commands and events cause, and repeats.
                    var envelope = Envelope(id: RandomID.uuid(), source: beat.source, type: Heartbeat.type,
                                            time: Timestamp.rfc3339(environment.clock()))
                    envelope.dataVersion = 1
                    try envelope.setData(beat)
                    return envelope
                }, cursors: { await consumer?.positions() }, isStopping: { self.stopping.load(ordering: .relaxed) })
            }
            group.addTask { [self, catalog, environment = configuration.environment] in
                while !self.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.heartbeatInterval)
                    await Self.tick(service, database: database, source: source, environment: environment, catalog: catalog, logger: logger)
                }
            }
            group.addTask {
                var iterator = connection.messages.makeAsyncIterator()
                // Pipelined: while runs of commands wait for or sit in their write transactions,
                // the next is decoded. Followed events and queries wait for the writes before
                // them, so everything still applies in arrival order.
                var writing: [ReadySignal<Void>] = []
                func drainWrites() async {
                    for write in writing { try? await write.wait() }
                    writing.removeAll()
                }
                func apply(_ run: [BusMessage], isEvents: Bool) async {
                    if isEvents {
                        await drainWrites()
                        await consumer?.handle(run)
                        return
                    }
                    let accepted = await intake.accept(run)
                    if accepted.contains(where: \.isQuery) {
                        await drainWrites()
                        await intake.execute(accepted)
                        return
                    }
                    // Two transactions queued at most: the bus's bounded queue holds the rest.
                    if writing.count >= 2 { try? await writing.removeFirst().wait() }
                    writing.append(intake.submit(accepted))
                }
                while let first = await iterator.next() {
                    let burst = [first] + connection.messages.drainAvailable(max: 255)
                    var run: [BusMessage] = []
                    var runIsEvents = false
                    for message in burst {
                        let isEvent = consumer?.wants(message.topic) ?? false
                        if isEvent != runIsEvents, !run.isEmpty {
                            await apply(run, isEvents: runIsEvents)
                            run.removeAll()
                        }
                        runIsEvents = isEvent
                        run.append(message)
                    }
                    if !run.isEmpty { await apply(run, isEvents: runIsEvents) }
                }
                await drainWrites()
            }
            // Graceful shutdown: stop taking work; the loops above end once what they hold is done.
            try? await gracefulShutdown()
            stopping.store(true, ordering: .relaxed)
            connection.finishReceiving()
        }
        await connection.close()
        logger.info("service stopped", metadata: ["service.name": "\(service.name)"])
    }
}

extension ServiceHost {
    /// One clock tick of the service, published after it commits.
    static func tick(_ service: any DomainService, database: DatabasePool, source: EventSource, environment: ServiceEnvironment,
                     catalog: MessageCatalog, logger: Logger) async {
        do {
            let messages = try await database.write { db in
                let outbox = Outbox()
                let tick = Envelope(id: RandomID.uuid(), source: service.source, type: "\(service.name).clock.ticked",
                                    time: Timestamp.rfc3339(environment.clock()))
                try service.tick(context: CommandContext(command: tick, db: db, source: source, environment: environment,
                                                         outbox: outbox, catalog: catalog))
                return outbox.messages
            }
            source.publish(messages)
        } catch is CancellationError {
        } catch {
            logger.error("clock tick failed", metadata: ["service.error": "\(error)"])
        }
    }
}
