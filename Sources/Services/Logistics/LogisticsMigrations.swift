import Contracts
import GRDB

/// The logistics schema, as named migration steps.
enum LogisticsMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("logistics-v1") { db in
            try db.create(table: SupplyRequest.databaseTableName) { table in
                table.primaryKey("request", .text)
                table.column("requester", .text).notNull()
                table.column("items", .jsonText).notNull()
                table.column("received", .jsonText).notNull()
                table.column("priority", .text).notNull()
                table.column("destination", .text).notNull()
                table.column("neededBy", .text).notNull()
                table.column("needsTransport", .boolean).notNull()
                table.column("needsSecurity", .boolean).notNull()
                table.column("status", .text).notNull().indexed()
            }
            try db.create(table: Pledge.databaseTableName) { table in
                table.primaryKey("pledge", .text)
                table.column("request", .text).notNull().indexed()
                table.column("partner", .text).notNull()
                table.column("requester", .text).notNull()
                table.column("items", .jsonText).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: Shipment.databaseTableName) { table in
                table.primaryKey("shipment", .text)
                table.column("request", .text).notNull().indexed()
                table.column("pledge", .text)
                table.column("partner", .text).notNull()
                table.column("requester", .text).notNull()
                table.column("items", .jsonText).notNull()
                table.column("driver", .text).notNull()
                table.column("vehicle", .text).notNull()
                table.column("transport", .text).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: Route.databaseTableName) { table in
                table.primaryKey("route", .text)
                table.column("name", .text).notNull()
                table.column("areas", .jsonText).notNull()
                table.column("atRisk", .boolean).notNull()
            }
            try db.create(table: Convoy.databaseTableName) { table in
                table.primaryKey("convoy", .text)
                table.column("route", .text).notNull().indexed()
                table.column("partners", .jsonText).notNull()
                table.column("request", .text)
                table.column("escort", .text)
                table.column("status", .text).notNull()
            }
            try db.create(table: Rotation.databaseTableName) { table in
                table.primaryKey("rotation", .text)
                table.column("unit", .text).notNull().indexed()
                table.column("partner", .text).notNull()
                table.column("outDate", .text).notNull()
                table.column("inDate", .text).notNull()
                table.column("status", .text).notNull()
            }
        }
        migrator.registerMigration("logistics-v2-threats") { db in
            // Areas under an active intelligence alert, as logistics learned them from the bus.
            try db.create(table: "threat") { table in
                table.primaryKey("alert", .text)
                table.column("area", .text).notNull()
            }
        }
        migrator.registerMigration("logistics-v3-unit-replica") { db in
            // Units as the registry's events describe them.
            try db.create(table: "unit_replica") { table in
                table.primaryKey("unit", .text)
                table.column("partner", .text).notNull()
                table.column("type", .text).notNull()
                table.column("readiness", .text).notNull()
                table.column("availability", .text).notNull()
            }
        }
        // The replicas other followers keep too, defined once in Contracts (they replace the
        // two tables above, which kept no labels).
        AlertAreaReplica.registerMigrations(&migrator, legacyTable: "threat")
        UnitReplica.registerMigrations(&migrator, legacyTable: "unit_replica")
        migrator.registerMigration("logistics-v4-convoy-halt-label") { db in
            // What halted a convoy, as its partners may learn of it (Convoy.haltedUnder). A
            // convoy halted before has none; it keeps its own label until it moves again.
            try db.alter(table: "convoy") { table in table.add(column: "haltedUnder", .jsonText) }
        }
        migrator.registerMigration("logistics-v5-geography") { db in
            try db.alter(table: Route.databaseTableName) { table in table.add(column: "path", .jsonText) }
            try db.alter(table: Convoy.databaseTableName) { table in table.add(column: "position", .jsonText) }
        }
    }
}
