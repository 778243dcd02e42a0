import BusCore
import Contracts
import ServiceKit

/// Every message type of training, and the types it follows.
public enum TrainingCatalog {
    /// Exercise events, version 2: the exercise's point, which the step from version 1 takes
    /// from the mission's area its location names.
    static let placed = MissionAreas.placing(from: "location")

    /// An exercise event as recorded: version 1 named its place only.
    public static func examples(status: String) -> [Int: String] {
        let common = #""exercise":"EX-J","name":"Jonglei field exercise","kind":"exercise","startDate":"2026-12-01","endDate":"2026-12-10","location":"Jonglei","organiser":"UNMISS","capacity":4,"requiredUnitTypes":[],"status":"\#(status)""#
        return [1: "{\(common)}", 2: #"{\#(common),"point":[31.58,5.95]}"#]
    }

    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.training.exercise.schedule", summary: "Schedule a course or joint exercise.", data: TrainingCommands.Schedule.self),
            MessageType("training.exercise.scheduled", summary: "An exercise was scheduled.", data: Exercise.self)
                .labelled("unclassified, releasable to the organiser").nextVersion(placed, examples: examples(status: "planned")),
            MessageType("cmd.training.exercise.reschedule", summary: "Move an exercise's dates or place.", data: TrainingCommands.Reschedule.self),
            MessageType("training.exercise.rescheduled", summary: "An exercise was rescheduled.", data: Exercise.self)
                .labelled("unclassified, releasable to the organiser").nextVersion(placed, examples: examples(status: "planned")),
            MessageType("cmd.training.enrolment.apply", summary: "Apply for a unit's place in an exercise.", data: TrainingCommands.Apply.self),
            MessageType("training.enrolment.applied", summary: "A unit applied.", data: Enrolment.self).labelled("unclassified, releasable to the applying partner"),
            MessageType("cmd.training.unit.certify", summary: "Certify a unit, with an expiry.", data: TrainingCommands.Certify.self),
            MessageType("training.conflict.raised", summary: "A planning conflict was found.", data: Conflict.self).labelled("the conflict's: its partners' (unclassified) joined with what it was computed from"),
            MessageType("training.command.rejected", summary: "A training command or query was refused.", data: CommandError.self).labelled(Label.refusalRule),
        ]
        // What other parts read of training, and what training reads of others.
        + TrainingContract.types + IntelligenceContract.types + LogisticsContract.rotationTypes + RegistryContract.unitTypes
        + EntityQueries.transitionCommands(Exercise.self, service: "training")
        + EntityQueries.transitionEvents(Exercise.self, service: "training").map { type in
            type.nextVersion(placed, examples: examples(status: type.name.hasSuffix(".completed") ? "completed" : "cancelled"))
        }
        + EntityQueries.transitionTypes(Enrolment.self, service: "training")
        + EntityQueries.transitionTypes(Conflict.self, service: "training")
        + EntityQueries.messageTypes(Exercise.self, service: "training") + EntityQueries.messageTypes(Enrolment.self, service: "training")
        + EntityQueries.messageTypes(Conflict.self, service: "training")
        + EntityExports.messageTypes(Exercise.self, service: "training")
    )
}
