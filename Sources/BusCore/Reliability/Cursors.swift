import GRDB

/// Where a consumer stands in one source's journal. Written in the same transaction as the
/// effect of the event it points at.
public struct Cursor: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consumer_cursor"

    public var source: String
    /// The source journal's epoch these positions belong to; nil until first learned.
    public var epoch: String?
    /// The last sequence number applied.
    public var position: Int64

    public init(source: String, epoch: String?, position: Int64) {
        self.source = source
        self.epoch = epoch
        self.position = position
    }

    /// Adds the cursor table to a store's migrations.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("consumer-cursor-v1") { db in
            try db.create(table: databaseTableName) { table in
                table.primaryKey("source", .text)
                table.column("epoch", .text)
                table.column("position", .integer).notNull()
            }
        }
    }
}
