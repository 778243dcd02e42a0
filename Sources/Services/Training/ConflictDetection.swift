import BusCore
import Contracts
import Geography
import GRDB
import ServiceKit

/// Finds training conflicts from what training holds and what it learned from the bus (alerts,
/// rotations), raises the new ones and resolves the ones whose cause went away. A conflict is
/// labelled with everything it was computed from: an alert its partners may not see is used
/// only through its tearline, or keeps the conflict from them.
enum ConflictDetection {
    static func reassess(_ context: CommandContext) throws {
        let db = context.db
        let exercises = Dictionary(uniqueKeysWithValues: try Exercise.filter(Column("status") == "planned").fetchAll(db).map { ($0.exercise, $0) })
        let enrolments = try Enrolment.fetchAll(db).filter { Enrolment.active.contains($0.status) && exercises[$0.exercise] != nil }
        var found: [String: Conflict] = [:]
        func add(_ key: String, _ kind: Conflict.Kind, _ exercise: Exercise, unit: String?, partner: String?, _ detail: String,
                 from inputs: [Label] = []) {
            let partners = Array(Set([exercise.organiser] + (partner.map { [$0] } ?? []))).sorted()
            let label = Label.join([Label(.unclassified, releasableTo: partners)] + inputs)!
            found[key] = Conflict(conflict: key, kind: kind, exercise: exercise.exercise, unit: unit, detail: detail, partners: partners,
                                  status: .open, securityLabel: SecurityLabel(classification: label.classification, releasableTo: label.releasableTo))
        }
        // A unit enrolled in exercises whose dates overlap.
        for (unit, byUnit) in Dictionary(grouping: enrolments, by: \.unit) {
            let sorted = byUnit.sorted { $0.exercise < $1.exercise }
            for (index, first) in sorted.enumerated() {
                for second in sorted[(index + 1)...] {
                    let a = exercises[first.exercise]!, b = exercises[second.exercise]!
                    if a.startDate <= b.endDate && b.startDate <= a.endDate {
                        // From both enrolments, each released to the partner that applied.
                        add("OVL-\(unit)-\(a.exercise)-\(b.exercise)", .overlap, b, unit: unit, partner: first.partner,
                            "\(unit) is enrolled in \(a.exercise) and \(b.exercise), which overlap", from: [first.label, second.label])
                    }
                }
            }
        }
        // An exercise where an intelligence alert is active.
        for row in try AlertAreaReplica.active(in: db) {
            for exercise in exercises.values where row.covers(exercise.location, exercise.point.map(Geometry.point)) {
                let disclosure = row.disclosure(to: [exercise.organiser])
                add("ALR-\(exercise.exercise)-\(disclosure.reference)", .alert, exercise, unit: nil, partner: nil,
                    disclosure.throughTearline ? "\(exercise.exercise) takes place in \(row.area): \(disclosure.summary)"
                                               : "\(exercise.exercise) takes place in \(row.area), under alert \(row.alert)",
                    from: [disclosure.label])
            }
        }
        // A unit rotating out before an exercise it is enrolled in ends.
        for rotation in try RotationReplica.filter(Column("status") == "scheduled").fetchAll(db) {
            for enrolment in enrolments where enrolment.unit == rotation.unit {
                let exercise = exercises[enrolment.exercise]!
                if rotation.outDate < exercise.endDate {
                    add("ROT-\(exercise.exercise)-\(rotation.rotation)", .rotation, exercise, unit: rotation.unit, partner: enrolment.partner,
                        "\(rotation.unit) rotates out on \(rotation.outDate), before \(exercise.exercise) ends on \(exercise.endDate)",
                        from: [rotation.label, enrolment.label])
                }
            }
        }
        let open = try Conflict.filter(Column("status") == "open").fetchAll(db)
        for var conflict in open where found[conflict.conflict] == nil {
            conflict.status = .resolved
            try conflict.update(db)
            // The conflict's own label already holds what it was computed from.
            try context.emit("training.conflict.resolved", conflict, label: conflict.label, derivedFrom: [])
        }
        let openKeys = Set(open.map(\.conflict))
        for conflict in found.values.sorted(by: { $0.conflict < $1.conflict }) where !openKeys.contains(conflict.conflict) {
            try conflict.save(db)
            try context.emit("training.conflict.raised", conflict, label: conflict.label, derivedFrom: [])
        }
    }
}
