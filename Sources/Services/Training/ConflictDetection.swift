import BusCore
import Contracts
import GRDB
import ServiceKit

/// Finds training conflicts from what training holds and what it learned from the bus (alerts,
/// rotations), raises the new ones and resolves the ones whose cause went away.
enum ConflictDetection {
    static func reassess(_ context: CommandContext) throws {
        let db = context.db
        let exercises = Dictionary(uniqueKeysWithValues: try Exercise.filter(Column("status") == "planned").fetchAll(db).map { ($0.exercise, $0) })
        let enrolments = try Enrolment.fetchAll(db).filter { Enrolment.active.contains($0.status) && exercises[$0.exercise] != nil }
        var found: [String: Conflict] = [:]
        func add(_ key: String, _ kind: Conflict.Kind, _ exercise: Exercise, unit: String?, partner: String?, _ detail: String) {
            found[key] = Conflict(conflict: key, kind: kind, exercise: exercise.exercise, unit: unit, detail: detail,
                                  partners: Array(Set([exercise.organiser] + (partner.map { [$0] } ?? []))).sorted(), status: .open)
        }
        // A unit enrolled in exercises whose dates overlap.
        for (unit, byUnit) in Dictionary(grouping: enrolments, by: \.unit) {
            let sorted = byUnit.sorted { $0.exercise < $1.exercise }
            for (index, first) in sorted.enumerated() {
                for second in sorted[(index + 1)...] {
                    let a = exercises[first.exercise]!, b = exercises[second.exercise]!
                    if a.startDate <= b.endDate && b.startDate <= a.endDate {
                        add("OVL-\(unit)-\(a.exercise)-\(b.exercise)", .overlap, b, unit: unit, partner: first.partner,
                            "\(unit) is enrolled in \(a.exercise) and \(b.exercise), which overlap")
                    }
                }
            }
        }
        // An exercise where an intelligence alert is active.
        for row in try AlertAreaReplica.active(in: db) {
            let alert = row.alert, area = row.area
            for exercise in exercises.values where exercise.location == area {
                add("ALR-\(exercise.exercise)-\(alert)", .alert, exercise, unit: nil, partner: nil,
                    "\(exercise.exercise) takes place in \(area), under alert \(alert)")
            }
        }
        // A unit rotating out before an exercise it is enrolled in ends.
        for row in try Row.fetchAll(db, sql: "SELECT rotation, unit, outDate FROM rotation_replica WHERE status = 'scheduled'") {
            let rotation: String = row["rotation"], unit: String = row["unit"], outDate: String = row["outDate"]
            for enrolment in enrolments where enrolment.unit == unit {
                let exercise = exercises[enrolment.exercise]!
                if outDate < exercise.endDate {
                    add("ROT-\(exercise.exercise)-\(rotation)", .rotation, exercise, unit: unit, partner: enrolment.partner,
                        "\(unit) rotates out on \(outDate), before \(exercise.exercise) ends on \(exercise.endDate)")
                }
            }
        }
        let open = try Conflict.filter(Column("status") == "open").fetchAll(db)
        for var conflict in open where found[conflict.conflict] == nil {
            conflict.status = .resolved
            try conflict.update(db)
            try context.emit("training.conflict.resolved", conflict, label: conflict.label)
        }
        let openKeys = Set(open.map(\.conflict))
        for conflict in found.values.sorted(by: { $0.conflict < $1.conflict }) where !openKeys.contains(conflict.conflict) {
            try conflict.save(db)
            try context.emit("training.conflict.raised", conflict, label: conflict.label)
        }
    }
}
