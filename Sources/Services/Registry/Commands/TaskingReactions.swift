import BusCore
import Contracts
import GRDB
import ServiceKit

/// What other services' events change in the registry: a unit assigned to escort a convoy is
/// tasked, and available again when the convoy arrives; a certified unit is ready.
enum TaskingReactions {
    static let follows: [Consumer.Follow] = [LogisticsContract.escorts, TrainingContract.certifications]

    static func react(to event: Envelope, context: CommandContext) throws {
        if event.type == "training.unit.certified" {
            guard var unit = try MissionUnit.fetchOne(context.db, key: try event.decodeData(Certification.self).unit),
                  unit.readiness != .ready else { return }
            unit.readiness = .ready
            try unit.update(context.db)
            try context.emit("registry.unit.updated", unit, label: unit.label)
            return
        }
        guard let escort = try event.decodeData(Convoy.self).escort,
              var unit = try MissionUnit.fetchOne(context.db, key: escort) else { return }
        let availability: MissionUnit.Availability = event.type == "logistics.convoy.arrived" ? .available : .tasked
        guard unit.availability != availability else { return }
        unit.availability = availability
        try unit.update(context.db)
        try context.emit("registry.unit.updated", unit, label: unit.label)
    }
}
