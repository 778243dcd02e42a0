import BusCore
import Contracts
import ServiceKit

/// Every message type of logistics, with its schema versions.
public enum LogisticsCatalog {
    static let service = "logistics"

    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.logistics.request.create", summary: "Create a supply request (draft).", data: LogisticsInputs.CreateRequest.self),
            MessageType("logistics.request.created", summary: "A supply request was created.", data: SupplyRequest.self).labelled("unclassified, releasable to the requester"),
            MessageType("logistics.request.partially-fulfilled", summary: "Part of a request's items arrived.", data: SupplyRequest.self).labelled("unclassified, releasable to the requester; joined with the shipment received"),
            MessageType("logistics.request.fulfilled", summary: "All of a request's items arrived.", data: SupplyRequest.self).labelled("unclassified, releasable to the requester; joined with the shipment received"),
            MessageType("cmd.logistics.pledge.offer", summary: "Offer items against a request.", data: LogisticsInputs.OfferPledge.self),
            MessageType("logistics.pledge.offered", summary: "A partner pledged items.", data: Pledge.self).labelled("unclassified, releasable to the pledging partner and the requester"),
            MessageType("cmd.logistics.shipment.create", summary: "Prepare a shipment for an approved request.", data: LogisticsInputs.CreateShipment.self),
            MessageType("logistics.shipment.created", summary: "A shipment is in process.", data: Shipment.self).labelled("unclassified, releasable to the shipping partner and the requester"),
            MessageType("cmd.logistics.route.define", summary: "Define or change a named route: its areas and, optionally, its line (a GeoJSON LineString).", data: LogisticsInputs.DefineRoute.self),
            MessageType("logistics.route.defined", summary: "A route was defined.", data: Route.self).labelled("releasable to no partner: routes reach partners through route.list"),
            MessageType("query.logistics.route.list", summary: "Routes, optionally only those at risk.", data: [String: String].self),
            MessageType("logistics.routes.listed", summary: "Answer to query.logistics.route.list.", data: [String: [Route]].self).labelled("unclassified, releasable to the asker; joined with every alert (or tearline) that puts a listed route at risk for it"),
            MessageType("cmd.logistics.convoy.plan", summary: "Plan a convoy on a route.", data: LogisticsInputs.PlanConvoy.self),
            MessageType("logistics.convoy.planned", summary: "A convoy was planned.", data: Convoy.self).labelled("the convoy's: restricted, releasable to its partners; joined with what it was computed from when a reaction emits it"),
            MessageType("cmd.logistics.convoy.assign-escort", summary: "Assign an escorting unit to a planned convoy.", data: LogisticsInputs.AssignEscort.self),
            MessageType("cmd.logistics.convoy.report-position", summary: "Report where a convoy is now (WGS84 [lon, lat]).", data: LogisticsInputs.ReportPosition.self),
            MessageType("logistics.convoy.position-reported", summary: "A convoy's position was reported; carries the whole convoy.", data: Convoy.self).labelled("the convoy's: restricted, releasable to its partners; while halted by alerts, joined with what its partners may learn of them"),
            MessageType("cmd.logistics.rotation.schedule", summary: "Schedule a unit's rotation out.", data: LogisticsInputs.ScheduleRotation.self),
            MessageType("logistics.command.rejected", summary: "A logistics command or query was refused.", data: CommandError.self).labelled(Label.refusalRule),
            MessageType("logistics.route.at-risk", summary: "An intelligence alert covers an area of the route.", data: Route.self).labelled("releasable to no partner, joined with the alerts that put it at risk: partners learn of routes at risk through route.list, per their alerts"),
            MessageType("logistics.route.cleared", summary: "No alert covers the route any more.", data: Route.self).labelled("releasable to no partner, joined with the event that cleared it"),
        ]
        // What other parts read of logistics, and what logistics reads of others.
        + LogisticsContract.types + RegistryContract.unitTypes + LiaisonContract.types + IntelligenceContract.types
        + EntityQueries.transitionTypes(SupplyRequest.self, service: service)
        + EntityQueries.transitionTypes(Pledge.self, service: service)
        + EntityQueries.transitionTypes(Shipment.self, service: service)
        + EntityQueries.transitionCommands(Convoy.self, service: service)
        + EntityQueries.transitionCommands(Rotation.self, service: service)
        + EntityQueries.messageTypes(SupplyRequest.self, service: service) + EntityQueries.messageTypes(Pledge.self, service: service)
        + EntityQueries.messageTypes(Shipment.self, service: service) + EntityQueries.messageTypes(Convoy.self, service: service)
        + EntityQueries.messageTypes(Rotation.self, service: service)
        + EntityExports.messageTypes(SupplyRequest.self, service: service) + EntityExports.messageTypes(Pledge.self, service: service)
        + EntityExports.messageTypes(Convoy.self, service: service)
        + EntityExports.messageTypes(Route.self, service: service, entity: "route")
    )
}
