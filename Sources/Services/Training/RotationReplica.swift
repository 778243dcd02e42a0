import BusCore
import Contracts
import GRDB
import ServiceKit

/// Logistics' rotations as training knows them from their events, each row with the label of
/// the event it came from: a conflict computed from a rotation carries that label too.
struct RotationReplica: LabelledRow, Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rotation_replica"

    var rotation: String
    var unit: String
    var outDate: String
    var status: String
    var classification: String
    var releasableTo: [String]

    init(_ event: Envelope) throws {
        let rotation = try event.decodeData(Rotation.self)
        let label = Label(of: event)
        self.rotation = rotation.rotation
        unit = rotation.unit
        outDate = rotation.outDate
        status = rotation.status.rawValue
        classification = label.classification.rawValue
        releasableTo = label.releasableTo
    }

    /// Rows kept before labels were: their rotations' labels were not kept, so they count as
    /// `Label.unknown` until those rotations' next events replace them.
    static func registerLabelMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("training-v3-rotation-replica-label") { db in
            try db.alter(table: databaseTableName) { table in
                table.add(column: "classification", .text).notNull().defaults(to: Label.unknown.classification.rawValue)
                table.add(column: "releasableTo", .jsonText).notNull().defaults(to: "[]")
            }
        }
    }
}
