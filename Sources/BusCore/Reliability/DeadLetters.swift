import Foundation
import GRDB
import Logging
import Metrics

/// One refused message: what it was, where it came from and why it was refused.
public struct DeadLetter: Sendable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dead_letter"

    public var recordedAt: String
    public var topic: String
    public var source: String?
    public var sequence: Int64?
    public var code: String
    public var reason: String
    /// The first bytes of the message as received, for diagnosis.
    public var payload: Data

    /// Payload bytes kept per dead letter.
    public static let keptBytes = 4_096

    public init(topic: String, source: String? = nil, sequence: Int64? = nil, code: String, reason: String,
                payload: [UInt8], at time: Date = Date()) {
        recordedAt = Timestamp.rfc3339(time)
        self.topic = topic
        self.source = source
        self.sequence = sequence
        self.code = code
        self.reason = reason
        self.payload = Data(payload.prefix(Self.keptBytes))
    }
}

/// The dead-letter log: a table in the part's own database, a warning in its log and a counter.
public struct DeadLetterLog: Sendable {
    private let logger: Logger
    private let counter: Counter

    public init(part: String, logger: Logger) {
        self.logger = logger
        counter = Counter(label: "concord_dead_letters_total", dimensions: [("part", part)])
    }

    /// Adds the dead-letter table to a store's migrations.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("dead-letter-v1") { db in
            try db.create(table: DeadLetter.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("rowid")
                table.column("recordedAt", .text).notNull()
                table.column("topic", .text).notNull()
                table.column("source", .text)
                table.column("sequence", .integer)
                table.column("code", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("payload", .blob).notNull()
            }
        }
    }

    /// Dead letters kept per store: the oldest go first, so a flood of bad input cannot fill the disk.
    public static let kept = 10_000

    /// Records `letter` inside the caller's transaction (so a cursor can advance with it).
    public func record(_ letter: DeadLetter, in db: Database) throws {
        try letter.insert(db)
        // Every hundredth insert trims the table back to what is kept.
        if db.lastInsertedRowID % 100 == 0 {
            try db.execute(sql: "DELETE FROM \(DeadLetter.databaseTableName) WHERE rowid <= ?", arguments: [db.lastInsertedRowID - Int64(Self.kept)])
        }
        report(letter)
    }

    /// Logs and counts a refusal that has no database to go to.
    public func report(_ letter: DeadLetter) {
        counter.increment()
        logger.warning("dead letter", metadata: [
            "deadletter.topic": "\(letter.topic)", "deadletter.code": "\(letter.code)",
            "deadletter.reason": "\(letter.reason)", "deadletter.source": "\(letter.source ?? "-")",
        ])
    }

    /// How many dead letters a store holds.
    public static func count(in db: Database) throws -> Int {
        try DeadLetter.fetchCount(db)
    }
}
