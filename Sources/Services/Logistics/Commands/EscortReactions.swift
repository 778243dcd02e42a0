import BusCore
import Contracts
import GRDB
import ServiceKit

/// Logistics' side of the escort flow: it knows units from the registry's events (a replica,
/// never the registry's database); when liaison validates an escort request it plans a convoy
/// and assigns an available infantry unit that is not rotating out.
enum EscortReactions {
    static let follows: [Consumer.Follow] = [RegistryContract.units, LiaisonContract.validatedRequests]

    static func react(to event: Envelope, context: CommandContext) throws {
        switch event.type {
        case RegistryContract.unitRegistered.name, RegistryContract.unitUpdated.name:
            try UnitReplica.apply(event, in: context.db)
        case "liaison.rfa.validated":
            let request = try event.decodeData(AssistanceRequest.self)
            guard request.kind == .escort, let route = request.route, try Route.fetchOne(context.db, key: route) != nil else { return }
            let key = "CV-\(request.rfa)"
            guard try Convoy.fetchOne(context.db, key: key) == nil else { return }
            var convoy = Convoy(convoy: key, route: route, partners: [request.requester], request: request.rfa, escort: nil, status: .planned)
            try convoy.insert(context.db)
            try context.emit("logistics.convoy.planned", convoy, label: convoy.label)
            guard let unit = try availableEscort(context.db) else { return }
            convoy.assign(escort: unit, of: try UnitReplica.find(unit, in: context.db)?.partner)
            try convoy.update(context.db)
            // The convoy now has the escort's partner among its own: the assignment releases it
            // to them (Convoy.assign), so its label is the convoy's, not the request's alone.
            try context.emit("logistics.convoy.escort-assigned", convoy, label: convoy.label, derivedFrom: [convoy.label])
        default:
            break
        }
    }

    /// An available, ready or limited infantry unit with no scheduled rotation out.
    static func availableEscort(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT unit FROM \(UnitReplica.tableName)
            WHERE type = 'infantry' AND availability = 'available' AND readiness IN ('ready', 'limited')
              AND unit NOT IN (SELECT unit FROM rotation WHERE status = 'scheduled')
              AND unit NOT IN (SELECT escort FROM convoy WHERE escort IS NOT NULL AND status != 'arrived')
            ORDER BY unit LIMIT 1
            """)
    }
}
