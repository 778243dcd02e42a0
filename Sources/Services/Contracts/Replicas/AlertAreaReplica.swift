import BusCore
import Geography
import GRDB
import ServiceKit

/// The areas under an active intelligence alert, as intelligence's events describe them, kept
/// by the services that plan around them (logistics' routes, training's exercises). Each row
/// keeps the label of the alert event it came from, for whatever is derived from it.
public enum AlertAreaReplica {
    public static let tableName = "replica_alert_area"

    /// One active alert and the area it covers.
    public struct Row: LabelledRow, Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = AlertAreaReplica.tableName

        public var alert: String
        public var area: String
        /// The area's outline, when the alert has one (`Places.covers`).
        public var polygon: Geometry?
        /// The alert's summary and its tearline's, for outputs that say why (AlertDisclosure).
        public var summary: String?
        public var classification: String
        public var releasableTo: [String]
        /// The label of the alert's tearline, when it has one: what may go further than the alert.
        public var tearlineClassification: String?
        public var tearlineReleasableTo: [String]?
        public var tearlineSummary: String?

        /// Whether the alert covers a place called `name` with `geometry`.
        public func covers(_ name: String, _ geometry: Geometry?) -> Bool {
            Places.covers(area: area, polygon, place: name, geometry)
        }

        /// The tearline's label, when the alert has a tearline.
        public var tearlineLabel: Label? {
            tearlineClassification.map { Label(storedClassification: $0, releasableTo: tearlineReleasableTo ?? []) }
        }
    }

    /// The replica's table. Rows of `legacyTable` (a table a service kept before, without labels)
    /// move over labelled `Label.unknown`: their alerts' labels were not kept, so whatever is
    /// derived from them fails closed until those alerts end.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator, legacyTable: String?) {
        migrator.registerMigration("replica-alert-area-v1") { db in
            try db.create(table: tableName) { table in
                table.primaryKey("alert", .text)
                table.column("area", .text).notNull().indexed()
                table.labelColumns()
            }
            if let legacyTable, try db.tableExists(legacyTable) {
                try db.execute(sql: """
                    INSERT INTO \(tableName) (alert, area, classification, releasableTo)
                    SELECT alert, area, ?, '[]' FROM \(legacyTable)
                    """, arguments: [Label.unknown.classification.rawValue])
                try db.drop(table: legacyTable)
            }
        }
        migrator.registerMigration("replica-alert-area-v2-tearline") { db in
            try db.alter(table: tableName) { table in
                table.add(column: "summary", .text)
                table.add(column: "tearlineClassification", .text)
                table.add(column: "tearlineReleasableTo", .jsonText)
                table.add(column: "tearlineSummary", .text)
            }
        }
        migrator.registerMigration("replica-alert-area-v3-polygon") { db in
            try db.alter(table: tableName) { table in table.add(column: "polygon", .jsonText) }
        }
    }

    /// Applies an alert event: raised adds the area, lifted or expired removes it.
    public static func apply(_ event: Envelope, in db: Database) throws {
        let alert = try event.decodeData(Alert.self)
        if event.type == IntelligenceContract.alertRaised.name {
            let label = Label(of: event)
            let tearline = alert.tearline.map(\.label.label)
            try Row(alert: alert.alert, area: alert.area, polygon: alert.polygon, summary: alert.summary, classification: label.classification.rawValue,
                    releasableTo: label.releasableTo, tearlineClassification: tearline?.classification.rawValue,
                    tearlineReleasableTo: tearline?.releasableTo, tearlineSummary: alert.tearline?.summary).save(db)
        } else {
            _ = try Row.deleteOne(db, key: alert.alert)
        }
    }

    /// Every active alert's area, by alert.
    public static func active(in db: Database) throws -> [Row] {
        try Row.order(Column("alert")).fetchAll(db)
    }
}

extension Audience {
    /// What of an active alert this audience may learn, and under which label: the alert's own
    /// label, or else its tearline's; nil when neither is released to it. Whatever is derived
    /// from the alert for this audience carries that label.
    public func visibleLabel(of row: AlertAreaReplica.Row) -> Label? {
        if maySee(row.label) { return row.label }
        if let tearline = row.tearlineLabel, maySee(tearline) { return tearline }
        return nil
    }
}
