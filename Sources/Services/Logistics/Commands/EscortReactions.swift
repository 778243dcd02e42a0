import BusCore
import GRDB
import ServiceKit

/// Logistics' side of the escort flow: it knows units from the registry's events (a replica,
/// never the registry's database); when liaison validates an escort request it plans a convoy
/// and assigns an available infantry unit that is not rotating out.
enum EscortReactions {
    static let follows: [Consumer.Follow] = [
        .init(source: "concord/registry", topicPrefix: "registry.unit.", types: ["registry.unit.registered", "registry.unit.updated"]),
        .init(source: "concord/liaison", topicPrefix: "liaison.rfa.", types: ["liaison.rfa.validated"]),
    ]

    struct UnitEvent: Decodable {
        var unit: String
        var partner: String
        var type: String
        var readiness: String
        var availability: String
    }

    struct ValidatedRequest: Decodable {
        var rfa: String
        var requester: String
        var kind: String
        var route: String?
    }

    static func react(to event: Envelope, context: CommandContext) throws {
        switch event.type {
        case "registry.unit.registered", "registry.unit.updated":
            let unit = try event.decodeData(UnitEvent.self)
            try context.db.execute(sql: """
                INSERT OR REPLACE INTO unit_replica (unit, partner, type, readiness, availability) VALUES (?, ?, ?, ?, ?)
                """, arguments: [unit.unit, unit.partner, unit.type, unit.readiness, unit.availability])
        case "liaison.rfa.validated":
            let request = try event.decodeData(ValidatedRequest.self)
            guard request.kind == "escort", let route = request.route, try Route.fetchOne(context.db, key: route) != nil else { return }
            let key = "CV-\(request.rfa)"
            guard try Convoy.fetchOne(context.db, key: key) == nil else { return }
            var convoy = Convoy(convoy: key, route: route, partners: [request.requester], request: request.rfa, escort: nil, status: .planned)
            try convoy.insert(context.db)
            try context.emit("logistics.convoy.planned", convoy, label: convoy.label)
            guard let unit = try availableEscort(context.db) else { return }
            convoy.escort = unit
            convoy.status = .escortAssigned
            try convoy.update(context.db)
            try context.emit("logistics.convoy.escort-assigned", convoy, label: convoy.label)
        default:
            break
        }
    }

    /// An available, ready or limited infantry unit with no scheduled rotation out.
    static func availableEscort(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT unit FROM unit_replica
            WHERE type = 'infantry' AND availability = 'available' AND readiness IN ('ready', 'limited')
              AND unit NOT IN (SELECT unit FROM rotation WHERE status = 'scheduled')
              AND unit NOT IN (SELECT escort FROM convoy WHERE escort IS NOT NULL AND status != 'arrived')
            ORDER BY unit LIMIT 1
            """)
    }
}
