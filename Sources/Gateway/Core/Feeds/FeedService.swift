import BusCore
import Logging
import Synchronization

/// Durable feeds inside the gateway: the indexer following the journals and the engine
/// serving consumers, each in its own task of the gateway's task group.
final class FeedService: Sendable {
    let engine: FeedEngine
    let indexer: FeedIndexer
    /// Bursts of the streams' events waiting for the indexer. When it is full a burst is
    /// dropped: the indexer's cursor has not moved, so the next heartbeat fetches it again.
    let pending = BoundedQueue<[BusMessage]>(capacity: 1_024)
    private let indexing = Atomic<Bool>(false)

    init(configuration: FeedConfiguration, core: GatewayCore, bus: BusConnection, logger: Logger) throws {
        let store = try FeedStore.open(path: configuration.databasePath)
        let bodies = FeedBodies()
        engine = try FeedEngine(configuration: configuration, store: store, bodies: bodies, core: core)
        indexer = FeedIndexer(streams: configuration.streams, store: store, bodies: bodies, directory: core.directory, connection: bus,
                              logger: logger)
        core.feedState.withLock { $0 = engine }
        for prefix in indexer.consumer.subscriptions { bus.subscribe(prefix) }
    }

    /// Views are built only once partners are known: before that, every event would go to nobody.
    func directoryReady() { indexing.store(true, ordering: .releasing) }

    func offer(_ burst: [BusMessage]) {
        guard indexing.load(ordering: .acquiring) else { return }
        let wanted = burst.filter { indexer.consumer.wants($0.topic) }
        if !wanted.isEmpty { _ = pending.tryOffer(wanted) }
    }

    func start(in group: inout DiscardingTaskGroup) {
        group.addTask { [engine] in await engine.run() }
        group.addTask { [pending, indexer, engine] in
            for await burst in pending {
                let grown = await indexer.handle(burst)
                if !grown.isEmpty { engine.submit(.indexed(grown)) }
            }
        }
        group.addTask { [engine] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                engine.submit(.tick)
            }
        }
    }

    func stop() {
        pending.finish(discardBuffered: true)
        engine.inbox.finish()
    }
}
