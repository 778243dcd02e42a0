import BusCore
import GRDB
import ServiceKit

/// What other services' events change in the registry: a unit assigned to escort a convoy is
/// tasked, and available again when the convoy arrives; a certified unit is ready.
enum TaskingReactions {
    static let follows: [Consumer.Follow] = [
        .init(source: "concord/logistics", topicPrefix: "logistics.convoy.",
              types: ["logistics.convoy.escort-assigned", "logistics.convoy.arrived"]),
        .init(source: "concord/training", topicPrefix: "training.unit.", types: ["training.unit.certified"]),
    ]

    struct ConvoyEvent: Decodable { var escort: String? }
    struct Certified: Decodable { var unit: String }

    static func react(to event: Envelope, context: CommandContext) throws {
        if event.type == "training.unit.certified" {
            guard var unit = try MissionUnit.fetchOne(context.db, key: try event.decodeData(Certified.self).unit),
                  unit.readiness != .ready else { return }
            unit.readiness = .ready
            try unit.update(context.db)
            try context.emit("registry.unit.updated", unit, label: PartnerCommands.releasable(to: unit.partner))
            return
        }
        guard let escort = try event.decodeData(ConvoyEvent.self).escort,
              var unit = try MissionUnit.fetchOne(context.db, key: escort) else { return }
        let availability: MissionUnit.Availability = event.type == "logistics.convoy.arrived" ? .available : .tasked
        guard unit.availability != availability else { return }
        unit.availability = availability
        try unit.update(context.db)
        try context.emit("registry.unit.updated", unit, label: PartnerCommands.releasable(to: unit.partner))
    }
}
