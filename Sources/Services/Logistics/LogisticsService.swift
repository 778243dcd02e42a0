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

    public var commands: [String: CommandHandler] {
        var handlers: [String: CommandHandler] = [
            "cmd.logistics.request.create": LogisticsCommands.createRequest,
            "cmd.logistics.pledge.offer": LogisticsCommands.offerPledge,
            "cmd.logistics.shipment.create": LogisticsCommands.createShipment,
            "cmd.logistics.route.define": LogisticsCommands.defineRoute,
            "cmd.logistics.convoy.plan": LogisticsCommands.planConvoy,
            "cmd.logistics.convoy.assign-escort": LogisticsCommands.assignEscort,
            "cmd.logistics.rotation.schedule": LogisticsCommands.scheduleRotation,
        ]
        handlers.merge(Transitions.handlers(SupplyRequest.self, service: name)) { $1 }
        handlers.merge(Transitions.handlers(Pledge.self, service: name)) { $1 }
        handlers.merge(Transitions.handlers(Shipment.self, service: name, after: ["receive": LogisticsCommands.recordReceipt])) { $1 }
        handlers.merge(Transitions.handlers(Convoy.self, service: name, after: ["depart": LogisticsCommands.refuseRouteAtRisk])) { $1 }
        handlers.merge(Transitions.handlers(Rotation.self, service: name)) { $1 }
        return handlers
    }

    public var queries: [String: QueryHandler] {
        var handlers: [String: QueryHandler] = [
            "query.logistics.route.list": { context in
                try CommandResult("logistics.routes.listed", ["routes": try EntityQueries.list(Route.self, context, filters: ["atRisk"])])
            },
        ]
        handlers.merge(EntityQueries.handlers(SupplyRequest.self, service: name, filters: ["status", "requester", "priority"])) { $1 }
        handlers.merge(EntityQueries.handlers(Pledge.self, service: name, filters: ["status", "request", "partner"])) { $1 }
        handlers.merge(EntityQueries.handlers(Shipment.self, service: name, filters: ["status", "request", "partner"])) { $1 }
        handlers.merge(EntityQueries.handlers(Convoy.self, service: name, filters: ["status", "route"])) { $1 }
        handlers.merge(EntityQueries.handlers(Rotation.self, service: name, filters: ["status", "unit", "partner"])) { $1 }
        return handlers
    }
}
