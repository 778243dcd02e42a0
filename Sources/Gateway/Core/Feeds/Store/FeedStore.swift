import BusCore
import Foundation
import GRDB

/// The gateway's own database: each partner's view of each stream (which journal entries it
/// may see, numbered densely) and the durable consumers' progress. No event body is stored
/// here: bodies stay in the services' journals.
struct FeedStore: Sendable {
    let database: DatabasePool

    /// One entry of a partner's view: its sequence in that view and where it is in the journal.
    struct Entry: Sendable, Equatable {
        var seq: Int64
        var sourceSeq: Int64
        var subject: String
        var timeNs: Int64
        var size: Int
    }

    /// What STREAM.INFO reports of one partner's view.
    struct ViewState: Sendable, Equatable {
        var messages: Int64 = 0
        var bytes: Int64 = 0
        var firstSeq: Int64 = 0
        var firstTimeNs: Int64 = 0
        var lastSeq: Int64 = 0
        var lastTimeNs: Int64 = 0
        var subjects: Int64 = 0
    }

    static func open(path: String) throws -> FeedStore {
        var configuration = Journal.storeConfiguration()
        configuration.prepareDatabase { db in
            // Consumers' filters are NATS subject patterns; SQLite evaluates them in place.
            db.add(function: DatabaseFunction("nats_match", argumentCount: 2, pure: true) { values in
                guard let subject = String.fromDatabaseValue(values[0]), let pattern = String.fromDatabaseValue(values[1]) else { return false }
                return Subject.matches(subject, pattern: pattern)
            })
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        Consumer.registerMigrations(&migrator)
        registerMigrations(&migrator)
        try migrator.migrate(pool)
        return FeedStore(database: pool)
    }

    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("feeds-v1") { db in
            try db.execute(sql: """
                CREATE TABLE feed_stream (name TEXT PRIMARY KEY, created_ns INTEGER NOT NULL);
                CREATE TABLE feed_view (
                    stream TEXT NOT NULL, partner TEXT NOT NULL, seq INTEGER NOT NULL, source_seq INTEGER NOT NULL,
                    subject TEXT NOT NULL, time_ns INTEGER NOT NULL, size INTEGER NOT NULL,
                    PRIMARY KEY (stream, partner, seq)) WITHOUT ROWID;
                CREATE TABLE feed_consumer (
                    partner TEXT NOT NULL, stream TEXT NOT NULL, name TEXT NOT NULL, config BLOB NOT NULL,
                    created_ns INTEGER NOT NULL, delivered_stream INTEGER NOT NULL, delivered_consumer INTEGER NOT NULL,
                    floor_stream INTEGER NOT NULL, floor_consumer INTEGER NOT NULL, redelivered INTEGER NOT NULL,
                    PRIMARY KEY (partner, stream, name)) WITHOUT ROWID;
                CREATE TABLE feed_acked (
                    partner TEXT NOT NULL, stream TEXT NOT NULL, consumer TEXT NOT NULL, stream_seq INTEGER NOT NULL,
                    PRIMARY KEY (partner, stream, consumer, stream_seq)) WITHOUT ROWID;
                CREATE TABLE feed_redelivery (
                    partner TEXT NOT NULL, stream TEXT NOT NULL, consumer TEXT NOT NULL, stream_seq INTEGER NOT NULL,
                    consumer_seq INTEGER NOT NULL, deliveries INTEGER NOT NULL,
                    PRIMARY KEY (partner, stream, consumer, stream_seq)) WITHOUT ROWID;
                """)
        }
    }

    // MARK: Views

    /// Appends one journal entry to `partner`'s view of `stream`; returns its sequence there.
    @discardableResult
    static func append(stream: String, partner: String, sourceSeq: Int64, subject: String, timeNs: Int64, size: Int,
                       in db: Database) throws -> Int64 {
        let last = try DirectStatement(db, sql: "SELECT MAX(seq) FROM feed_view WHERE stream = ? AND partner = ?")
            .integer([.text(stream), .text(partner)]) ?? 0
        try DirectStatement(db, sql: """
            INSERT INTO feed_view (stream, partner, seq, source_seq, subject, time_ns, size) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute([.text(stream), .text(partner), .integer(last + 1), .integer(sourceSeq), .text(subject),
                          .integer(timeNs), .integer(Int64(size))])
        return last + 1
    }

    /// Records a stream's creation time the first time it is indexed.
    static func noteStream(_ stream: String, timeNs: Int64, in db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO feed_stream (name, created_ns) VALUES (?, ?)", arguments: [stream, timeNs])
    }

    func created(_ stream: String) throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT created_ns FROM feed_stream WHERE name = ?", arguments: [stream]) } ?? 0
    }

    func state(stream: String, partner: String) throws -> ViewState {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COALESCE(SUM(size), 0), MIN(seq), MAX(seq), COUNT(DISTINCT subject)
                FROM feed_view WHERE stream = ? AND partner = ?
                """, arguments: [stream, partner]), let first: Int64 = row[2], let last: Int64 = row[3] else { return ViewState() }
            let times = try Row.fetchAll(db, sql: "SELECT time_ns FROM feed_view WHERE stream = ? AND partner = ? AND seq IN (?, ?) ORDER BY seq",
                                         arguments: [stream, partner, first, last]).map { $0[0] as Int64 }
            return ViewState(messages: row[0], bytes: row[1], firstSeq: first, firstTimeNs: times.first ?? 0, lastSeq: last,
                             lastTimeNs: times.last ?? 0, subjects: row[4])
        }
    }

    /// Up to `limit` entries after `seq` matching `filter`, in order.
    func entries(stream: String, partner: String, after seq: Int64, filter: String?, limit: Int) throws -> [Entry] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, source_seq, subject, time_ns, size FROM feed_view
                WHERE stream = ? AND partner = ? AND seq > ? AND (? IS NULL OR nats_match(subject, ?)) ORDER BY seq LIMIT ?
                """, arguments: [stream, partner, seq, filter, filter, limit]).map {
                Entry(seq: $0[0], sourceSeq: $0[1], subject: $0[2], timeNs: $0[3], size: $0[4])
            }
        }
    }

    /// Entries after `seq` matching `filter`.
    func count(stream: String, partner: String, after seq: Int64, filter: String?) throws -> Int64 {
        try database.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT COUNT(*) FROM feed_view WHERE stream = ? AND partner = ? AND seq > ? AND (? IS NULL OR nats_match(subject, ?))
                """, arguments: [stream, partner, seq, filter, filter]) ?? 0
        }
    }

    /// The sequence before the first entry at or after `timeNs` (deliver by start time), or the
    /// sequence before the last entry (deliver last), matching `filter`.
    func startBefore(stream: String, partner: String, timeNs: Int64?, filter: String?) throws -> Int64 {
        try database.read { db in
            let seq: Int64?
            if let timeNs {
                seq = try Int64.fetchOne(db, sql: """
                    SELECT MIN(seq) FROM feed_view WHERE stream = ? AND partner = ? AND time_ns >= ? AND (? IS NULL OR nats_match(subject, ?))
                    """, arguments: [stream, partner, timeNs, filter, filter])
                if seq == nil { return try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM feed_view WHERE stream = ? AND partner = ?",
                                                          arguments: [stream, partner]) ?? 0 }
            } else {
                seq = try Int64.fetchOne(db, sql: """
                    SELECT MAX(seq) FROM feed_view WHERE stream = ? AND partner = ? AND (? IS NULL OR nats_match(subject, ?))
                    """, arguments: [stream, partner, filter, filter])
            }
            return max((seq ?? 1) - 1, 0)
        }
    }

    /// The last sequence of a view (0 when empty).
    func lastSeq(stream: String, partner: String) throws -> Int64 {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM feed_view WHERE stream = ? AND partner = ?", arguments: [stream, partner]) ?? 0
        }
    }
}
