import BusCore
import Contracts
import Geography
import GRDB
import ServiceKit

/// Scheduling, enrolment, certification, and training's reactions to alerts and rotations.
enum TrainingCommands {
    static let service = "training"

    struct Schedule: Decodable {
        var exercise: String
        var name: String
        var kind: Exercise.Kind
        var startDate: String
        var endDate: String
        var location: String
        var point: Position?
        var organiser: String
        var capacity: Int
        var requiredUnitTypes: [String]?
    }

    struct Reschedule: Decodable {
        var exercise: String
        var startDate: String
        var endDate: String
        var location: String?
        var point: Position?
    }

    struct Apply: Decodable {
        var enrolment: String
        var exercise: String
        var unit: String
        var partner: String
    }

    struct Certify: Decodable {
        var unit: String
        var partner: String
        var exercise: String
        var expires: String
    }

    static func schedule(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Schedule.self)
        try checkDates(input.startDate, input.endDate)
        guard input.capacity > 0 else { throw CommandError(.invalidCommand, "capacity must be positive") }
        let exercise = Exercise(exercise: input.exercise, name: input.name, kind: input.kind, startDate: input.startDate,
                                endDate: input.endDate, location: input.location,
                                point: Places.point(input.location, given: input.point), organiser: input.organiser, capacity: input.capacity,
                                requiredUnitTypes: input.requiredUnitTypes ?? [], status: .planned)
        let result = try Transitions.create(exercise, service: service, event: "scheduled", in: context)
        try ConflictDetection.reassess(context)
        return result
    }

    static func reschedule(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Reschedule.self)
        try checkDates(input.startDate, input.endDate)
        var exercise = try Transitions.existing(Exercise.self, input.exercise, in: context.db)
        guard exercise.status == .planned else {
            throw CommandError(.illegalTransition, "exercise '\(exercise.exercise)' is \(exercise.status.rawValue); only planned exercises are rescheduled")
        }
        exercise.startDate = input.startDate
        exercise.endDate = input.endDate
        if input.location != nil || input.point != nil {
            exercise.location = input.location ?? exercise.location
            exercise.point = Places.point(exercise.location, given: input.point)
        }
        try exercise.update(context.db)
        try context.emit("training.exercise.rescheduled", exercise, label: exercise.label)
        try ConflictDetection.reassess(context)
        return try CommandResult("training.exercise.rescheduled", exercise)
    }

    static func apply(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Apply.self)
        let exercise = try Transitions.existing(Exercise.self, input.exercise, in: context.db)
        guard exercise.status == .planned else {
            throw CommandError(.illegalTransition, "exercise '\(exercise.exercise)' is \(exercise.status.rawValue); units apply to planned exercises")
        }
        if !exercise.requiredUnitTypes.isEmpty {
            // Unit types come from the registry's events (training's replica), never its database.
            guard let type = try UnitReplica.find(input.unit, in: context.db)?.type else {
                throw CommandError(.notFound, "unit '\(input.unit)' is not known from the registry (yet)")
            }
            guard exercise.requiredUnitTypes.contains(type) else {
                throw CommandError(.invalidCommand, "unit '\(input.unit)' is \(type); \(exercise.exercise) takes \(exercise.requiredUnitTypes.joined(separator: ", "))")
            }
        }
        let enrolment = Enrolment(enrolment: input.enrolment, exercise: input.exercise, unit: input.unit, partner: input.partner, status: .applied)
        let result = try Transitions.create(enrolment, service: service, event: "applied", in: context)
        try ConflictDetection.reassess(context)
        return result
    }

    /// Approval takes a place: refused when the exercise is full.
    static let takePlace: Transitions.After<Enrolment> = { enrolment, context in
        let exercise = try Transitions.existing(Exercise.self, enrolment.exercise, in: context.db)
        let taken = try Enrolment.filter(Column("exercise") == exercise.exercise)
            .filter(Enrolment.holding.map(\.rawValue).contains(Column("status"))).fetchCount(context.db)
        guard taken <= exercise.capacity else {
            throw CommandError(.illegalTransition, "exercise '\(exercise.exercise)' is full (\(exercise.capacity) places)")
        }
    }

    static let reassessAfter: Transitions.After<Enrolment> = { _, context in try ConflictDetection.reassess(context) }
    static let reassessExercise: Transitions.After<Exercise> = { _, context in try ConflictDetection.reassess(context) }

    static func certify(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Certify.self)
        guard Timestamp.parse(input.expires) != nil || input.expires.count == 10 else {
            throw CommandError(.invalidCommand, "expires '\(input.expires)' is not a date")
        }
        _ = try Transitions.existing(Exercise.self, input.exercise, in: context.db)
        let certification = Certification(unit: input.unit, partner: input.partner, exercise: input.exercise, expires: input.expires)
        try certification.insert(context.db)
        try context.emit("training.unit.certified", certification, label: Label(.unclassified, releasableTo: [input.partner]))
        return try CommandResult("training.unit.certified", certification)
    }

    static func checkDates(_ start: String, _ end: String) throws {
        for date in [start, end] where date.count != 10 || date.split(separator: "-").count != 3 {
            throw CommandError(.invalidCommand, "'\(date)' is not a date (YYYY-MM-DD)")
        }
        guard start <= end else { throw CommandError(.invalidCommand, "an exercise cannot end (\(end)) before it starts (\(start))") }
    }

    // MARK: Reactions

    static let follows: [Consumer.Follow] = [IntelligenceContract.alerts, LogisticsContract.rotations, RegistryContract.units]

    static func react(to event: Envelope, context: CommandContext) throws {
        if event.type.hasPrefix("registry.") {
            try UnitReplica.apply(event, in: context.db)
            return
        }
        if event.type.hasPrefix("intelligence.") {
            try AlertAreaReplica.apply(event, in: context.db)
        } else {
            try RotationReplica(event).save(context.db)
        }
        try ConflictDetection.reassess(context)
    }
}
