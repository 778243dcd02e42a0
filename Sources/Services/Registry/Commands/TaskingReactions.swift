import BusCore
import GRDB
import ServiceKit

/// The registry's side of the escort flow: a unit assigned to escort a convoy is tasked, and
/// available again when the convoy arrives.
enum TaskingReactions {
    static let follow = Consumer.Follow(source: "concord/logistics", topicPrefix: "logistics.convoy.",
                                        types: ["logistics.convoy.escort-assigned", "logistics.convoy.arrived"])

    struct ConvoyEvent: Decodable { var escort: String? }

    static func react(to event: Envelope, context: CommandContext) throws {
        guard let escort = try event.decodeData(ConvoyEvent.self).escort,
              var unit = try MissionUnit.fetchOne(context.db, key: escort) else { return }
        let availability: MissionUnit.Availability = event.type == "logistics.convoy.arrived" ? .available : .tasked
        guard unit.availability != availability else { return }
        unit.availability = availability
        try unit.update(context.db)
        try context.emit("registry.unit.updated", unit, label: PartnerCommands.releasable(to: unit.partner))
    }
}
