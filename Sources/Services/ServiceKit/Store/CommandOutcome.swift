import BusCore
import Foundation
import GRDB

/// The first answer given to a command, kept under its idempotency key so a repeated command
/// gets the same answer and changes nothing. Rows: `key` (`source|idempotencykey`, or
/// `source|id` when the command carries no key), `commandType`, `reply`, `recordedAt`.
enum CommandOutcome {
    /// The stored answer to `key`, if the command was seen before. Both statements are direct:
    /// they run for every command.
    static func reply(to key: String, in db: Database) throws -> [UInt8]? {
        try DirectStatement(db, sql: "SELECT reply FROM command_outcome WHERE key = ?").bytes([.text(key)])
    }

    static func record(key: String, commandType: String, reply: [UInt8], recordedAt: String, in db: Database) throws {
        try DirectStatement(db, sql: "INSERT INTO command_outcome (key, commandType, reply, recordedAt) VALUES (?, ?, ?, ?)")
            .execute([.text(key), .text(commandType), .blob(reply), .text(recordedAt)])
    }

    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("command-outcome-v1") { db in
            try db.create(table: "command_outcome") { table in
                table.primaryKey("key", .text)
                table.column("commandType", .text).notNull()
                table.column("reply", .blob).notNull()
                table.column("recordedAt", .text).notNull()
            }
        }
    }
}
