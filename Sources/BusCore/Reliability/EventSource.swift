import GRDB
import Logging
import Metrics

/// The producing side of the reliability contract for one source: events are journaled inside
/// the caller's transaction and published only after it commits, in sequence order; heartbeats
/// advertise the journal's position; catch-up requests are answered from the journal.
public final class EventSource: Sendable {
    public let journal: Journal
    let connection: BusConnection
    let database: any DatabaseWriter
    let heartbeatInterval: Duration
    let advertisedEndpoint: String?
    let logger: Logger
    private let servedCounter = Counter(label: "concord_catchup_ranges_served_total")
    /// Events in the journal, as of the last heartbeat.
    private let journalSize: Gauge

    public init(source: String, connection: BusConnection, database: any DatabaseWriter,
                heartbeatInterval: Duration = .seconds(1), advertisedEndpoint: String? = nil, logger: Logger) {
        self.advertisedEndpoint = advertisedEndpoint
        journal = Journal(source: source)
        journalSize = Gauge(label: "concord_journal_events", dimensions: [("source", source)])
        self.connection = connection
        self.database = database
        self.heartbeatInterval = heartbeatInterval
        self.logger = logger
    }

    /// Journals `envelope` in the current transaction and publishes it once that commits.
    /// Returns the envelope as stamped with source and sequence.
    @discardableResult
    public func emit(_ envelope: Envelope, in db: Database) throws -> Envelope {
        let (stamped, message) = try journal.append(envelope, in: db)
        // GRDB runs commit hooks on the writer in commit order, so publication follows sequence order.
        db.afterNextTransaction { [connection] _ in connection.publish(topic: message.topic, payload: message.payload) }
        return stamped
    }

    /// Journals `envelope` in the current transaction without publishing it: the caller publishes
    /// the returned message with `publish(_:)` after the transaction commits, and drops it if the
    /// work it belongs to rolls back (a savepoint inside a group commit).
    public func journal(_ envelope: Envelope, in db: Database) throws -> (Envelope, BusMessage) {
        try journal.append(envelope, in: db)
    }

    /// Publishes journaled messages, in order, once their transaction has committed.
    public func publish(_ messages: [BusMessage]) {
        for message in messages { connection.publish(topic: message.topic, payload: message.payload) }
    }

    /// Journals `envelopes` in one transaction (a group commit) and publishes them after it commits.
    public func emit(_ envelopes: [Envelope]) async throws {
        let messages = try await database.write { [journal] db in
            try envelopes.map { try journal.append($0, in: db).1 }
        }
        publish(messages)
    }

    /// The heartbeat this source would send now.
    public func currentHeartbeat() async throws -> Heartbeat {
        let (epoch, last, deadLetters) = try await database.read { [journal] db in
            (try journal.epoch(in: db), try journal.lastSequence(in: db),
             try db.tableExists(DeadLetter.databaseTableName) ? Int64(try DeadLetter.fetchCount(db)) : nil)
        }
        var beat = Heartbeat(source: journal.source, epoch: epoch, last: last, catchup: advertisedEndpoint ?? connection.catchUpEndpoint ?? "")
        beat.deadLetters = deadLetters
        return beat
    }

    /// Sends heartbeats until the task is cancelled or `isStopping` turns true.
    public func sendHeartbeats(makeEnvelope: @Sendable (Heartbeat) throws -> Envelope,
                               cursors: @Sendable () async -> [String: Int64]? = { nil },
                               isStopping: @Sendable () -> Bool) async {
        while !Task.isCancelled && !isStopping() {
            do {
                var beat = try await currentHeartbeat()
                beat.cursors = await cursors()
                journalSize.record(beat.last)
                connection.publish(try makeEnvelope(beat))
            } catch is CancellationError {
                return
            } catch {
                logger.warning("heartbeat failed", metadata: ["source.error": "\(error)"])
            }
            try? await Task.sleep(for: heartbeatInterval)
        }
    }

    /// Answers catch-up requests until the connection stops receiving.
    public func serveCatchUp() async {
        for await request in connection.catchUpRequests {
            do {
                let batch = try await database.read { [journal] db in
                    let found = try journal.envelopes(from: request.from, limit: request.limit, types: request.types, in: db)
                    return CatchUpBatch(epoch: try journal.epoch(in: db), last: try journal.lastSequence(in: db),
                                        through: found.through, envelopes: found.envelopes)
                }
                connection.answer(request, with: batch)
                servedCounter.increment()
            } catch {
                logger.error("catch-up request failed", metadata: ["source.error": "\(error)"])
            }
        }
    }
}
