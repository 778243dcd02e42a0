import Foundation
import GRDB

/// The first answer given to a command, kept under its idempotency key so a repeated command
/// gets the same answer and changes nothing.
struct CommandOutcome: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "command_outcome"

    /// `source|idempotencykey` (or `source|id` when the command carries no key).
    var key: String
    var commandType: String
    var reply: Data
    var recordedAt: String

    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("command-outcome-v1") { db in
            try db.create(table: databaseTableName) { table in
                table.primaryKey("key", .text)
                table.column("commandType", .text).notNull()
                table.column("reply", .blob).notNull()
                table.column("recordedAt", .text).notNull()
            }
        }
    }
}
