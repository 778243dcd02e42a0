import Contracts
import GRDB

/// The intelligence schema, as named migration steps.
enum IntelligenceMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("intelligence-v1") { db in
            try db.create(table: Report.databaseTableName) { table in
                table.primaryKey("report", .text)
                table.column("kind", .text).notNull()
                table.column("title", .text).notNull()
                table.column("content", .text).notNull()
                table.column("location", .text).notNull()
                table.column("observedAt", .text).notNull()
                table.column("reliability", .text).notNull()
                table.column("securityLabel", .jsonText).notNull()
                table.column("tearline", .jsonText)
                table.column("status", .text).notNull()
            }
            try db.create(table: Alert.databaseTableName) { table in
                table.primaryKey("alert", .text)
                table.column("report", .text)
                table.column("area", .text).notNull().indexed()
                table.column("severity", .text).notNull()
                table.column("summary", .text).notNull()
                table.column("expires", .text).notNull()
                table.column("securityLabel", .jsonText).notNull()
                table.column("tearline", .jsonText)
                table.column("status", .text).notNull()
            }
            try db.create(table: ReleaseDecision.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("report", .text).notNull().indexed()
                table.column("partner", .text).notNull()
                table.column("decision", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("decidedAt", .text).notNull()
            }
        }
        migrator.registerMigration("intelligence-v2-geography") { db in
            for table in [Report.databaseTableName, Alert.databaseTableName] {
                try db.alter(table: table) { table in
                    table.add(column: "point", .jsonText)
                    table.add(column: "polygon", .jsonText)
                }
            }
        }
        migrator.registerMigration("intelligence-v3-alert-times") { db in
            try db.alter(table: Alert.databaseTableName) { table in
                table.add(column: "raisedAt", .text)
                table.add(column: "endedAt", .text)
                table.add(column: "exercise", .boolean)
            }
        }
    }
}
