import BusCore
import Contracts
import GRDB
import ServiceKit

/// Training schedules: courses and joint exercises, enrolments, certifications, and conflicts.
public struct TrainingService: DomainService {
    public init() {}

    public var name: String { "training" }
    public var catalog: MessageCatalog { TrainingCatalog.catalog }

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("training-v1") { db in
            try db.create(table: Exercise.databaseTableName) { table in
                table.primaryKey("exercise", .text)
                table.column("name", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("startDate", .text).notNull()
                table.column("endDate", .text).notNull()
                table.column("location", .text).notNull()
                table.column("organiser", .text).notNull()
                table.column("capacity", .integer).notNull()
                table.column("requiredUnitTypes", .jsonText).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: Enrolment.databaseTableName) { table in
                table.primaryKey("enrolment", .text)
                table.column("exercise", .text).notNull().indexed()
                table.column("unit", .text).notNull().indexed()
                table.column("partner", .text).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: Conflict.databaseTableName) { table in
                table.primaryKey("conflict", .text)
                table.column("kind", .text).notNull()
                table.column("exercise", .text).notNull()
                table.column("unit", .text)
                table.column("detail", .text).notNull()
                table.column("partners", .jsonText).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: Certification.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("unit", .text).notNull()
                table.column("partner", .text).notNull()
                table.column("exercise", .text).notNull()
                table.column("expires", .text).notNull()
            }
            // What training learned from the bus: active alerts and rotations.
            try db.create(table: "threat") { table in
                table.primaryKey("alert", .text)
                table.column("area", .text).notNull()
            }
            try db.create(table: "rotation_replica") { table in
                table.primaryKey("rotation", .text)
                table.column("unit", .text).notNull()
                table.column("outDate", .text).notNull()
                table.column("status", .text).notNull()
            }
        }
        Self.registerReplicaMigration(&migrator)
        // The replicas other followers keep too, defined once in Contracts (they replace the
        // labelless `threat` and `unit_replica` tables of the steps above).
        AlertAreaReplica.registerMigrations(&migrator, legacyTable: "threat")
        UnitReplica.registerMigrations(&migrator, legacyTable: "unit_replica")
        RotationReplica.registerLabelMigration(&migrator)
        Self.registerConflictLabelMigration(&migrator)
        migrator.registerMigration("training-v5-exercise-point") { db in
            try db.alter(table: Exercise.databaseTableName) { table in table.add(column: "point", .jsonText) }
        }
    }

    /// Conflicts keep the label of what they were computed from. Those raised before did not:
    /// overlaps keep their partners' label, and alert and rotation conflicts, whose inputs'
    /// labels were not kept, count as `Label.unknown` (fail closed).
    static func registerConflictLabelMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("training-v4-conflict-label") { db in
            try db.alter(table: Conflict.databaseTableName) { table in
                table.add(column: "securityLabel", .jsonText)
            }
            try db.execute(sql: """
                UPDATE conflict SET securityLabel = CASE kind
                    WHEN 'overlap' THEN json_object('policy', 'UN-MISSION', 'classification', 'UNCLASSIFIED', 'releasableTo', json(partners))
                    ELSE json_object('policy', 'UN-MISSION', 'classification', ?, 'releasableTo', json('[]')) END
                """, arguments: [Label.unknown.classification.rawValue])
        }
    }

    public var follows: [Consumer.Follow] { TrainingCommands.follows }

    /// Added after v1: unit types as the registry's events describe them.
    static func registerReplicaMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("training-v2-unit-replica") { db in
            try db.create(table: "unit_replica") { table in
                table.primaryKey("unit", .text)
                table.column("type", .text).notNull()
            }
        }
    }

    public func react(to event: Envelope, context: CommandContext) throws {
        try TrainingCommands.react(to: event, context: context)
    }

    public var commands: CommandTable {
        let j7 = Policy.staff(.training)
        let organiser = Relation.of(Exercise.self, "organiser", column: "organiser")
        let exerciseOrganiser = Relation.sql("organiser of its exercise", of: "enrolment", keyField: "enrolment",
                                             "SELECT e.organiser FROM exercise e JOIN enrolment n ON n.exercise = e.exercise WHERE n.enrolment = ?")
        let enrolled = Relation.of(Enrolment.self, "enrolled partner", column: "partner")
        var handlers: CommandTable = [
            "cmd.training.exercise.schedule": Guarded(j7.partners(.namingItself(field: "organiser")), TrainingCommands.schedule),
            "cmd.training.exercise.reschedule": Guarded(j7.partners(.related(organiser)), TrainingCommands.reschedule),
            "cmd.training.enrolment.apply": Guarded(j7.partners(.namingItself(field: "partner")), TrainingCommands.apply),
            "cmd.training.unit.certify": Guarded(j7, TrainingCommands.certify),
        ]
        handlers.merge(Transitions.handlers(Exercise.self, service: name, policies: [
            "complete": j7.partners(.related(organiser)), "cancel": j7.partners(.related(organiser)),
        ], after: [
            "complete": TrainingCommands.reassessExercise, "cancel": TrainingCommands.reassessExercise,
        ])) { $1 }
        handlers.merge(Transitions.handlers(Enrolment.self, service: name, policies: [
            "approve": j7.partners(.related(exerciseOrganiser)), "reject": j7.partners(.related(exerciseOrganiser)),
            "invite": j7.partners(.related(exerciseOrganiser)),
            "accept": j7.partners(.related(enrolled)), "decline": j7.partners(.related(enrolled)),
        ], after: [
            "approve": { enrolment, context in
                try TrainingCommands.takePlace(&enrolment, context)
                try TrainingCommands.reassessAfter(&enrolment, context)
            },
            "reject": TrainingCommands.reassessAfter, "decline": TrainingCommands.reassessAfter,
        ])) { $1 }
        handlers.merge(Transitions.handlers(Conflict.self, service: name, policies: ["resolve": j7])) { $1 }
        return handlers
    }

    public var queries: QueryTable {
        var handlers = EntityQueries.handlers(Exercise.self, service: name, filters: ["status", "location", "organiser", "kind"], roles: [.training])
        handlers.merge(EntityQueries.handlers(Enrolment.self, service: name, filters: ["status", "exercise", "unit", "partner"], roles: [.training])) { $1 }
        handlers.merge(EntityQueries.handlers(Conflict.self, service: name, filters: ["status", "kind", "exercise"], roles: [.training])) { $1 }
        handlers.merge(EntityExports.handlers(Exercise.self, service: name, filters: ["status", "location", "organiser", "kind"], roles: [.training])) { $1 }
        return handlers
    }
}
