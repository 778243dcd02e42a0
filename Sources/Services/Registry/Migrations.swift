import Contracts
import GRDB

/// The registry's schema, as named migration steps.
enum RegistryMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry-v1") { db in
            try db.create(table: Partner.databaseTableName) { table in
                table.primaryKey("code", .text)
                table.column("name", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("clearance", .text).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: Credential.databaseTableName) { table in
                table.column("partner", .text).notNull().references(Partner.databaseTableName)
                table.column("kind", .text).notNull()
                table.column("user", .text).notNull()
                table.column("hash", .text).notNull()
                table.column("issuedAt", .text).notNull()
                table.primaryKey(["partner", "user"])
            }
            try db.create(table: PermissionSet.databaseTableName) { table in
                table.primaryKey("partner", .text).references(Partner.databaseTableName)
                table.column("publish", .jsonText).notNull()
                table.column("subscribe", .jsonText).notNull()
            }
            try db.create(table: MissionUnit.databaseTableName) { table in
                table.primaryKey("unit", .text)
                table.column("partner", .text).notNull().references(Partner.databaseTableName)
                table.column("type", .text).notNull()
                table.column("strength", .integer).notNull()
                table.column("readiness", .text).notNull()
                table.column("availability", .text).notNull()
                table.column("location", .jsonText).notNull()
            }
            try db.create(index: "unit_by_type", on: MissionUnit.databaseTableName, columns: ["type", "readiness", "availability"])
        }
    }
}
