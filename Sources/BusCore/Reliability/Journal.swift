import Foundation
import GRDB

/// A source's journal: every event it emits, numbered without gaps, stored in the same SQLite
/// transaction as the state change that caused it (the transactional outbox).
public struct Journal: Sendable {
    /// The source name stamped on every event, e.g. `concord/registry`.
    public let source: String

    public init(source: String) { self.source = source }

    /// The SQLite settings every journaled store uses: WAL (by `DatabasePool`) with
    /// synchronous=NORMAL, which survives a killed process (not a power cut) with one fsync
    /// per checkpoint instead of one per commit, and a busy timeout for readers.
    public static func storeConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        return configuration
    }

    /// Adds the journal's tables to a store's migrations.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("journal-v1") { db in
            try db.create(table: "journal") { table in
                table.primaryKey("sequence", .integer)
                table.column("id", .text).notNull()
                table.column("type", .text).notNull()
                table.column("envelope", .blob).notNull()
            }
            try db.create(table: "journal_epoch") { table in
                table.column("epoch", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO journal_epoch (epoch) VALUES (?)", arguments: [UUID().uuidString.lowercased()])
        }
    }

    /// Stamps `envelope` with this source and the next sequence number and journals it.
    /// Call inside the write transaction that makes the change the event reports.
    /// Returns the stamped envelope and the message to publish once the transaction commits.
    @discardableResult
    public func append(_ envelope: Envelope, in db: Database) throws -> (Envelope, BusMessage) {
        var stamped = envelope
        stamped.source = source
        let sequence = try lastSequence(in: db) + 1
        stamped.sequence = sequence
        let encoded = EnvelopeCodec.encode(stamped)
        // Direct statements: appending is on every command's path.
        try DirectStatement(db, sql: "INSERT INTO journal (sequence, id, type, envelope) VALUES (?, ?, ?, ?)")
            .execute([.integer(sequence), .text(stamped.id), .text(stamped.type), .blob(encoded)])
        return (stamped, BusMessage(topic: stamped.type, payload: encoded))
    }

    /// The newest sequence number, 0 for an empty journal.
    public func lastSequence(in db: Database) throws -> Int64 {
        try DirectStatement(db, sql: "SELECT MAX(sequence) FROM journal").integer() ?? 0
    }

    /// The journal's epoch: a new one means the journal was created anew and cursors must restart.
    public func epoch(in db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT epoch FROM journal_epoch") ?? ""
    }

    /// Encoded envelopes among the `limit` events from `from` on whose type is in `types` (all
    /// when nil), in order, and the last sequence looked at (`from - 1` when there was none).
    public func envelopes(from: Int64, limit: Int, types: Set<String>?, in db: Database) throws -> (envelopes: [[UInt8]], through: Int64) {
        let through = min(from + Int64(limit) - 1, try lastSequence(in: db))
        guard through >= from else { return ([], from - 1) }
        // Sequences are gap-free, so the range is exact; the type filter runs in SQLite, and
        // envelopes of other types are never read.
        var sql = "SELECT envelope FROM journal WHERE sequence BETWEEN ? AND ?"
        var arguments: StatementArguments = [from, through]
        if let types {
            sql += " AND type IN (\(types.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(types.sorted())
        }
        let envelopes = try Data.fetchAll(db, sql: sql + " ORDER BY sequence", arguments: arguments).map { Array($0) }
        return (envelopes, through)
    }
}
