import BusCore
import Contracts
import GRDB
import ServiceKit

/// Logistics: supply requests, pledges, shipments, routes, convoys and troop rotations.
public struct LogisticsService: DomainService {
    public init() {}

    public var name: String { "logistics" }
    public var catalog: MessageCatalog { LogisticsCatalog.catalog }

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        LogisticsMigrations.register(&migrator)
    }

    public var follows: [Consumer.Follow] { [IntelligenceContract.alerts] + EscortReactions.follows }

    public func react(to event: Envelope, context: CommandContext) throws {
        if event.type.hasPrefix("intelligence.") {
            try ThreatReactions.react(to: event, context: context)
        } else {
            try EscortReactions.react(to: event, context: context)
        }
    }

    public var commands: CommandTable {
        let cell = Policy.staff(.logisticsCell)
        let requester = Relation.of(SupplyRequest.self, "requester", column: "requester")
        var handlers: CommandTable = [
            "cmd.logistics.request.create": Guarded(cell.partners(.namingItself(field: "requester")), LogisticsCommands.createRequest),
            "cmd.logistics.pledge.offer": Guarded(cell.partners(.namingItself(field: "partner")), LogisticsCommands.offerPledge),
            "cmd.logistics.shipment.create": Guarded(cell.partners(.namingItself(field: "partner")), LogisticsCommands.createShipment),
            "cmd.logistics.route.define": Guarded(cell, LogisticsCommands.defineRoute),
            "cmd.logistics.convoy.plan": Guarded(cell, LogisticsCommands.planConvoy),
            "cmd.logistics.convoy.assign-escort": Guarded(cell, LogisticsCommands.assignEscort),
            "cmd.logistics.convoy.report-position": Guarded(cell.partners(.related(.of(Convoy.self, "convoy partner", column: "partners"))),
                                                            LogisticsCommands.reportPosition),
            "cmd.logistics.rotation.schedule": Guarded(cell.partners(.namingItself(field: "partner")), LogisticsCommands.scheduleRotation),
        ]
        handlers.merge(Transitions.handlers(SupplyRequest.self, service: name, policies: [
            "submit": cell.partners(.related(requester)), "cancel": cell.partners(.related(requester)),
            "approve": cell, "reject": cell,
        ])) { $1 }
        handlers.merge(Transitions.handlers(Pledge.self, service: name, policies: [
            "accept": cell.partners(.related(.of(Pledge.self, "requester", column: "requester"))),
            "decline": cell.partners(.related(.of(Pledge.self, "requester", column: "requester"))),
        ])) { $1 }
        let shipper = Relation.of(Shipment.self, "shipper", column: "partner")
        handlers.merge(Transitions.handlers(Shipment.self, service: name, policies: [
            "send": cell.partners(.related(shipper)), "return": cell.partners(.related(shipper)),
            "receive": cell.partners(.related(.of(Shipment.self, "requester", column: "requester"))),
        ], after: ["receive": LogisticsCommands.recordReceipt])) { $1 }
        handlers.merge(Transitions.handlers(Convoy.self, service: name, policies: ["depart": cell, "halt": cell, "arrive": cell],
                                            after: ["depart": LogisticsCommands.refuseRouteAtRisk])) { $1 }
        let unitOwner = Relation.of(Rotation.self, "unit owner", column: "partner")
        handlers.merge(Transitions.handlers(Rotation.self, service: name, policies: [
            "complete": cell, "cancel": cell.partners(.related(unitOwner)),
        ])) { $1 }
        return handlers
    }

    public var queries: QueryTable {
        let roles: Set<MissionRole> = [.logisticsCell]
        let routes = Policy(roles: roles, partners: .filtered(by: "routes marked at risk only by alerts released to it"))
        var handlers: QueryTable = [
            "query.logistics.route.list": Guarded(routes, RouteQueries.list),
            "query.logistics.route.export": Guarded(routes, RouteQueries.export),
        ]
        handlers.merge(EntityQueries.handlers(SupplyRequest.self, service: name, filters: ["status", "requester", "priority"], roles: roles)) { $1 }
        handlers.merge(EntityQueries.handlers(Pledge.self, service: name, filters: ["status", "request", "partner"], roles: roles)) { $1 }
        handlers.merge(EntityQueries.handlers(Shipment.self, service: name, filters: ["status", "request", "partner"], roles: roles)) { $1 }
        handlers.merge(EntityQueries.handlers(Convoy.self, service: name, filters: ["status", "route"], roles: roles)) { $1 }
        handlers.merge(EntityQueries.handlers(Rotation.self, service: name, filters: ["status", "unit", "partner"], roles: roles)) { $1 }
        handlers.merge(EntityExports.handlers(SupplyRequest.self, service: name, filters: ["status", "requester", "priority"], roles: roles)) { $1 }
        handlers.merge(EntityExports.handlers(Pledge.self, service: name, filters: ["status", "request", "partner"], roles: roles)) { $1 }
        handlers.merge(EntityExports.handlers(Convoy.self, service: name, filters: ["status", "route"], roles: roles)) { $1 }
        return handlers
    }
}
