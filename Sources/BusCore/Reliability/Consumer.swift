import GRDB
import Logging
import Metrics

/// Applies the events of journaled sources exactly once and in order.
///
/// The cursor per source lives in the consumer's own database and moves in the same transaction
/// as each event's effect. A gap, a late join, a restart or a heartbeat that is ahead makes the
/// consumer fetch the missing range from the source's catch-up endpoint; duplicates are dropped
/// by (source, sequence). Events that cannot be decoded go to the dead-letter log and the cursor
/// moves past them, so one bad event never stops the stream.
public actor Consumer {
    /// A source this consumer follows.
    public struct Follow: Sendable {
        /// The `source` attribute of its events, e.g. `concord/registry`.
        public var source: String
        /// The topic prefixes of the events followed, e.g. `registry.unit.`.
        public var topicPrefixes: [String]
        /// The types this consumer reacts to; the source's other events move the cursor and
        /// nothing else. Nil: every type, and an unknown one is dead-lettered.
        public var types: Set<String>?

        public init(source: String, topicPrefix: String, types: Set<String>? = nil) {
            self.source = source
            topicPrefixes = [topicPrefix]
            self.types = types
        }

        /// Several follows of one source as one: a consumer follows each source once.
        public static func merged(_ follows: [Follow]) -> [Follow] {
            var bySource: [String: Follow] = [:]
            var order: [String] = []
            for follow in follows {
                guard var existing = bySource[follow.source] else {
                    bySource[follow.source] = follow
                    order.append(follow.source)
                    continue
                }
                existing.topicPrefixes += follow.topicPrefixes.filter { !existing.topicPrefixes.contains($0) }
                existing.types = existing.types.flatMap { mine in follow.types.map { mine.union($0) } }
                bySource[follow.source] = existing
            }
            return order.compactMap { bySource[$0] }
        }
    }

    /// The effect of one event, run inside the transaction that also moves the cursor.
    public typealias Apply = @Sendable (Envelope, Database) throws -> Void

    /// Counts since start, for status and tests.
    public struct Statistics: Sendable, Equatable {
        public var applied = 0
        public var duplicates = 0
        public var gapsDetected = 0
        public var rangesFetched = 0
        public var deadLetters = 0
    }

    let connection: BusConnection
    let database: any DatabaseWriter
    /// Upcasts each event before it is applied; nil applies events exactly as journaled.
    let catalog: MessageCatalog?
    let follows: [String: Follow]
    let apply: Apply
    let deadLetters: DeadLetterLog
    let logger: Logger
    let fetchTimeout: Duration
    var cursors: [String: Cursor] = [:]
    var endpoints: [String: String] = [:]
    /// The last sequence each source's latest heartbeat advertised.
    var advertised: [String: Int64] = [:]
    public private(set) var statistics = Statistics()
    /// Per part: in one process (`concord up`) several services follow sources.
    private let gapCounter: Counter
    private let fetchCounter: Counter

    /// Registers the consumer's tables (cursors and dead letters) in a store's migrations.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        Cursor.registerMigrations(&migrator)
        DeadLetterLog.registerMigrations(&migrator)
    }

    public init(part: String, follows: [Follow], connection: BusConnection, database: any DatabaseWriter,
                catalog: MessageCatalog?, logger: Logger, fetchTimeout: Duration = .seconds(5), apply: @escaping Apply) {
        self.connection = connection
        self.database = database
        self.catalog = catalog
        self.follows = Dictionary(uniqueKeysWithValues: Follow.merged(follows).map { ($0.source, $0) })
        self.apply = apply
        self.logger = logger
        self.fetchTimeout = fetchTimeout
        deadLetters = DeadLetterLog(part: part, logger: logger)
        gapCounter = Counter(label: "concord_consumer_gaps_total", dimensions: [("part", part)])
        fetchCounter = Counter(label: "concord_consumer_ranges_fetched_total", dimensions: [("part", part)])
    }

    /// The topic prefixes to subscribe to: the followed sources' and the heartbeats.
    public nonisolated var subscriptions: [String] {
        follows.values.flatMap(\.topicPrefixes) + [Heartbeat.type]
    }

    /// Whether this consumer wants `topic`.
    public nonisolated func wants(_ topic: String) -> Bool {
        topic == Heartbeat.type || follows.values.contains { $0.topicPrefixes.contains(where: topic.hasPrefix) }
    }

    /// Subscribes and handles messages until the connection stops receiving.
    public func run() async {
        for prefix in subscriptions { connection.subscribe(prefix) }
        var iterator = connection.messages.makeAsyncIterator()
        while let first = await iterator.next() {
            await handle([first] + connection.messages.drainAvailable(max: 511))
        }
    }

    /// Handles a burst of messages in arrival order. Never throws: failures are logged, and the
    /// next heartbeat brings back whatever could not be applied.
    public func handle(_ messages: [BusMessage]) async {
        var run: [(Int64, Envelope, [UInt8])] = []
        var runSource = ""
        for message in messages {
            if message.topic == Heartbeat.type {
                await flush(&run, source: runSource)
                await heartbeat(message)
                continue
            }
            let envelope: Envelope
            do {
                envelope = try EnvelopeCodec.decode(message.payload)
            } catch {
                await flush(&run, source: runSource)
                await deadLetter(DeadLetter(topic: message.topic, code: error.code.rawValue, reason: error.reason, payload: message.payload))
                continue
            }
            // Only the sequenced events of a followed source are applied: anything else (an
            // unsequenced envelope, a replay `--as-new`, another source) is refused with its reason.
            guard let sequence = envelope.sequence, follows[envelope.source] != nil else {
                await flush(&run, source: runSource)
                let reason = follows[envelope.source] == nil
                    ? "'\(envelope.source)' is not a source this part follows"
                    : "an event of \(envelope.source) without a sequence number: only journaled events are applied"
                await deadLetter(DeadLetter(topic: message.topic, source: envelope.source, code: "not_applied", reason: reason,
                                            payload: message.payload))
                continue
            }
            if envelope.source != runSource { await flush(&run, source: runSource) }
            runSource = envelope.source
            let stored = await cursor(envelope.source).position
            let position = run.last?.0 ?? stored
            if sequence <= position {
                statistics.duplicates += 1
                continue
            }
            if sequence > position + 1 {
                await flush(&run, source: runSource)
                statistics.gapsDetected += 1
                gapCounter.increment()
                await catchUp(envelope.source)
                // Anything still missing comes with the next heartbeat's catch-up.
                if sequence != (await cursor(envelope.source)).position + 1 { continue }
            }
            run.append((sequence, envelope, message.payload))
        }
        await flush(&run, source: runSource)
    }

    /// How far each followed source has been applied, for heartbeats and `concord status`.
    public func positions() async -> [String: Int64] {
        var positions: [String: Int64] = [:]
        for source in follows.keys { positions[source] = await cursor(source).position }
        return positions
    }

    /// Whether `source` has been heard and everything its last heartbeat advertised is applied:
    /// what a part waits for before it says it is ready to act on that source's state.
    public func hasCaughtUp(with source: String) async -> Bool {
        guard let last = advertised[source] else { return false }
        return await cursor(source).position >= last
    }

    /// Current cursors, for status and tests.
    public func cursor(_ source: String) async -> Cursor {
        if let cursor = cursors[source] { return cursor }
        let stored = try? await database.read { db in try Cursor.fetchOne(db, key: source) }
        let cursor = stored ?? Cursor(source: source, epoch: nil, position: 0)
        cursors[source] = cursor
        return cursor
    }

    private func flush(_ run: inout [(Int64, Envelope, [UInt8])], source: String) async {
        guard !run.isEmpty else { return }
        let batch = run
        run.removeAll()
        await applyInOrder(source: source, batch.map { ($0.0, Result<Envelope, EnvelopeError>.success($0.1), $0.2) })
    }

    private func heartbeat(_ message: BusMessage) async {
        // A heartbeat speaks for the source that sent it only: the proxy checked the envelope's
        // source against its sender, so the beat must name that same source.
        guard let envelope = try? EnvelopeCodec.decode(message.payload), let beat = try? envelope.decodeData(Heartbeat.self),
              beat.source == envelope.source, follows[beat.source] != nil else { return }
        endpoints[beat.source] = beat.catchup
        advertised[beat.source] = beat.last
        var cursor = await cursor(beat.source)
        if cursor.epoch != beat.epoch {
            if cursor.epoch != nil {
                logger.warning("source journal was reset; starting over", metadata: ["consumer.source": "\(beat.source)"])
                cursor.position = 0
            }
            cursor.epoch = beat.epoch
            await save(cursor)
        }
        if beat.last > cursor.position { await catchUp(beat.source) }
    }

    /// Fetches and applies everything the source holds past our cursor.
    private func catchUp(_ source: String) async {
        guard let endpoint = endpoints[source] else { return }
        for _ in 0..<10_000 {
            var cursor = await cursor(source)
            let batch: CatchUpBatch
            do {
                batch = try await connection.fetch(from: endpoint, source: source, after: cursor.position, types: follows[source]?.types,
                                               timeout: fetchTimeout)
            } catch {
                logger.info("catch-up fetch failed; retrying at the next heartbeat",
                            metadata: ["consumer.source": "\(source)", "consumer.error": "\(error)"])
                return
            }
            if let epoch = cursor.epoch, epoch != batch.epoch {
                logger.warning("source journal was reset; starting over", metadata: ["consumer.source": "\(source)"])
                cursor = Cursor(source: source, epoch: batch.epoch, position: 0)
                await save(cursor)
                continue
            }
            if cursor.epoch == nil {
                cursor.epoch = batch.epoch
                await save(cursor)
            }
            guard batch.through > cursor.position else { return }
            statistics.rangesFetched += 1
            fetchCounter.increment()
            // Each envelope says its own sequence; the source skipped the types we do not want.
            let items = batch.envelopes.map { bytes in
                let decoded = Result { () throws(EnvelopeError) in try EnvelopeCodec.decode(bytes) }
                return ((try? decoded.get().sequence).flatMap { $0 } ?? cursor.position, decoded, bytes)
            }
            guard await applyInOrder(source: source, items, through: batch.through) else { return }
            if batch.through >= batch.last { return }
        }
    }

    /// Applies consecutive events of one source in one transaction; the cursor moves to the
    /// last of them, or to `through` when the source looked further.
    @discardableResult
    private func applyInOrder(source: String, _ items: [(Int64, Result<Envelope, EnvelopeError>, [UInt8])],
                              through: Int64? = nil) async -> Bool {
        let last = max(items.last?.0 ?? 0, through ?? 0)
        guard last > 0 else { return true }
        var cursor = await cursor(source)
        cursor.position = max(cursor.position, last)
        let newCursor = cursor
        do {
            let wanted = follows[source]?.types
            let (applied, rejected) = try await database.write { [catalog, apply, deadLetters] db in
                var applied = 0, rejected = 0
                for (sequence, decoded, bytes) in items {
                    if let wanted, let type = try? decoded.get().type, !wanted.contains(type) { continue }
                    do {
                        let envelope = try catalog.map { try $0.upcast(decoded.get()) } ?? decoded.get()
                        try db.inSavepoint {
                            try apply(envelope, db)
                            return .commit
                        }
                        applied += 1
                    } catch let error as DatabaseError {
                        throw error
                    } catch {
                        let (code, reason) = Self.describe(error)
                        try deadLetters.record(DeadLetter(topic: (try? decoded.get().type) ?? "?", source: source, sequence: sequence,
                                                          code: code, reason: reason, payload: bytes), in: db)
                        rejected += 1
                    }
                }
                try newCursor.save(db)
                return (applied, rejected)
            }
            cursors[source] = newCursor
            statistics.applied += applied
            statistics.deadLetters += rejected
            return true
        } catch {
            logger.error("could not apply events; they will be fetched again",
                         metadata: ["consumer.source": "\(source)", "consumer.error": "\(error)"])
            cursors[source] = nil
            return false
        }
    }

    private func deadLetter(_ letter: DeadLetter) async {
        statistics.deadLetters += 1
        do {
            try await database.write { [deadLetters] db in try deadLetters.record(letter, in: db) }
        } catch {
            deadLetters.report(letter)
        }
    }

    private func save(_ cursor: Cursor) async {
        do {
            try await database.write { db in try cursor.save(db) }
            cursors[cursor.source] = cursor
        } catch {
            logger.error("could not save a cursor", metadata: ["consumer.error": "\(error)"])
        }
    }

    static func describe(_ error: any Error) -> (String, String) {
        if let error = error as? EnvelopeError { return (error.code.rawValue, error.reason) }
        return ("apply_failed", "\(error)")
    }
}
