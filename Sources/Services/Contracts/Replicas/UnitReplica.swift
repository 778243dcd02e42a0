import BusCore
import GRDB
import ServiceKit

/// Units as the registry's events describe them, kept by the services that plan with units
/// (logistics picks escorts, training checks unit types) and never read from the registry's
/// database. Each row keeps the label of the event it came from.
public enum UnitReplica {
    public static let tableName = "replica_unit"

    /// One unit as last reported.
    public struct Row: LabelledRow, Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = UnitReplica.tableName

        public var unit: String
        public var partner: String
        public var type: String
        public var readiness: String
        public var availability: String
        public var classification: String
        public var releasableTo: [String]
    }

    /// The replica's table. `legacyTable` names a table a service kept before (without labels):
    /// it is dropped, and the cursor on the registry goes back to the start so that catch-up
    /// rebuilds every row with its label (unit events only write this table, so applying them
    /// again changes nothing else).
    public static func registerMigrations(_ migrator: inout DatabaseMigrator, legacyTable: String?) {
        migrator.registerMigration("replica-unit-v1") { db in
            try db.create(table: tableName) { table in
                table.primaryKey("unit", .text)
                table.column("partner", .text).notNull()
                table.column("type", .text).notNull().indexed()
                table.column("readiness", .text).notNull()
                table.column("availability", .text).notNull()
                table.labelColumns()
            }
            if let legacyTable, try db.tableExists(legacyTable) {
                try db.drop(table: legacyTable)
                try db.execute(sql: "DELETE FROM \(Cursor.databaseTableName) WHERE source = ?", arguments: [RegistryContract.source])
            }
        }
    }

    /// Applies `registry.unit.registered` or `registry.unit.updated` (upcast to the current version).
    public static func apply(_ event: Envelope, in db: Database) throws {
        let unit = try event.decodeData(MissionUnit.self)
        let label = Label(of: event)
        try Row(unit: unit.unit, partner: unit.partner, type: unit.type.rawValue, readiness: unit.readiness.rawValue,
                availability: unit.availability.rawValue, classification: label.classification.rawValue,
                releasableTo: label.releasableTo).save(db)
    }

    /// The unit, if the registry has reported it.
    public static func find(_ unit: String, in db: Database) throws -> Row? {
        try Row.fetchOne(db, key: unit)
    }
}
