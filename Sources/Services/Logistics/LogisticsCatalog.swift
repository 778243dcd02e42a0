import BusCore
import ServiceKit

/// Every message type of logistics, with its schema versions.
public enum LogisticsCatalog {
    static let service = "logistics"

    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.logistics.request.create", summary: "Create a supply request (draft)."),
            MessageType("logistics.request.created", summary: "A supply request was created."),
            MessageType("logistics.request.partially-fulfilled", summary: "Part of a request's items arrived."),
            MessageType("logistics.request.fulfilled", summary: "All of a request's items arrived."),
            MessageType("cmd.logistics.pledge.offer", summary: "Offer items against a request."),
            MessageType("logistics.pledge.offered", summary: "A partner pledged items."),
            MessageType("cmd.logistics.shipment.create", summary: "Prepare a shipment for an approved request."),
            MessageType("logistics.shipment.created", summary: "A shipment is in process."),
            MessageType("cmd.logistics.route.define", summary: "Define or change a named route and its areas."),
            MessageType("logistics.route.defined", summary: "A route was defined."),
            MessageType("query.logistics.route.list", summary: "Routes, optionally only those at risk."),
            MessageType("logistics.routes.listed", summary: "Answer to query.logistics.route.list."),
            MessageType("cmd.logistics.convoy.plan", summary: "Plan a convoy on a route."),
            MessageType("logistics.convoy.planned", summary: "A convoy was planned."),
            MessageType("cmd.logistics.convoy.assign-escort", summary: "Assign an escorting unit to a planned convoy."),
            MessageType("logistics.convoy.escort-assigned", summary: "A convoy got its escort."),
            MessageType("cmd.logistics.rotation.schedule", summary: "Schedule a unit's rotation out."),
            MessageType("logistics.rotation.scheduled", summary: "A rotation was scheduled."),
            MessageType("logistics.command.rejected", summary: "A logistics command or query was refused."),
            MessageType("logistics.route.at-risk", summary: "An intelligence alert covers an area of the route."),
            MessageType("logistics.route.cleared", summary: "No alert covers the route any more."),
            // Followed from the registry and liaison.
            MessageType("registry.unit.registered", version: 3, summary: "A unit was registered (followed).",
                        upcasters: [1: { $0["location"] = .object(["name": $0["location"] ?? .string("unknown")]) },
                                    2: { $0["readiness"] = .string("unknown"); $0["availability"] = .string("available") }]),
            MessageType("registry.unit.updated", summary: "A unit changed (followed)."),
            MessageType("liaison.rfa.validated", summary: "A request for assistance was validated (followed)."),
            // Followed from intelligence.
            MessageType("intelligence.alert.raised", summary: "An alert on an area (followed)."),
            MessageType("intelligence.alert.lifted", summary: "An alert was lifted (followed)."),
            MessageType("intelligence.alert.expired", summary: "An alert expired (followed)."),
        ]
        + EntityQueries.transitionTypes(SupplyRequest.self, service: service)
        + EntityQueries.transitionTypes(Pledge.self, service: service)
        + EntityQueries.transitionTypes(Shipment.self, service: service)
        + EntityQueries.transitionTypes(Convoy.self, service: service)
        + EntityQueries.transitionTypes(Rotation.self, service: service)
        + ["request", "pledge", "shipment", "convoy", "rotation"].flatMap { EntityQueries.messageTypes(entity: $0, service: service) }
    )
}
