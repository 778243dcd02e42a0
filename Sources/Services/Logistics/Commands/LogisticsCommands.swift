import BusCore
import Contracts
import Geography
import GRDB
import ServiceKit

/// The commands that create logistics entities, and the side effects of some transitions.
enum LogisticsCommands {
    static let service = "logistics"
    typealias Inputs = LogisticsInputs

    static func createRequest(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.CreateRequest.self)
        try Inputs.check(input.items)
        try Inputs.check(date: input.neededBy, field: "neededBy")
        guard !input.destination.isEmpty else { throw CommandError(.invalidCommand, "destination must not be empty") }
        let request = SupplyRequest(
            request: input.request, requester: input.requester, items: input.items, received: [:],
            priority: input.priority ?? .normal, destination: input.destination, neededBy: input.neededBy,
            needsTransport: input.needsTransport ?? false, needsSecurity: input.needsSecurity ?? false, status: .draft)
        return try Transitions.create(request, service: service, event: "created", in: context)
    }

    /// Requests that can still take pledges and shipments.
    static let open: Set<SupplyRequest.Status> = [.submitted, .approved, .partiallyFulfilled]

    static func offerPledge(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.OfferPledge.self)
        try Inputs.check(input.items)
        let request = try Transitions.existing(SupplyRequest.self, input.request, in: context.db)
        guard open.contains(request.status) else {
            throw CommandError(.illegalTransition, "request '\(request.request)' is \(request.status.rawValue); pledges go to submitted or approved requests")
        }
        let pledge = Pledge(pledge: input.pledge, request: input.request, partner: input.partner, requester: request.requester,
                            items: input.items, status: .offered)
        return try Transitions.create(pledge, service: service, event: "offered", in: context)
    }

    static func createShipment(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.CreateShipment.self)
        try Inputs.check(input.items)
        let request = try Transitions.existing(SupplyRequest.self, input.request, in: context.db)
        guard request.status == .approved || request.status == .partiallyFulfilled else {
            throw CommandError(.illegalTransition, "request '\(request.request)' is \(request.status.rawValue); shipments go to approved requests")
        }
        if let pledge = input.pledge {
            let offered = try Transitions.existing(Pledge.self, pledge, in: context.db)
            guard offered.status == .accepted else {
                throw CommandError(.illegalTransition, "pledge '\(pledge)' is \(offered.status.rawValue); only accepted pledges ship")
            }
        }
        let shipment = Shipment(shipment: input.shipment, request: input.request, pledge: input.pledge, partner: input.partner,
                                requester: request.requester, items: input.items, driver: input.driver, vehicle: input.vehicle,
                                transport: input.transport, status: .inProcess)
        return try Transitions.create(shipment, service: service, event: "created", in: context)
    }

    /// A received shipment counts towards its request: partially fulfilled, then fulfilled.
    static let recordReceipt: Transitions.After<Shipment> = { shipment, context in
        var request = try Transitions.existing(SupplyRequest.self, shipment.request, in: context.db)
        for item in shipment.items { request.received[item.item, default: 0] += item.quantity }
        if request.status == .approved || request.status == .partiallyFulfilled {
            request.status = request.isComplete ? .fulfilled : .partiallyFulfilled
        }
        try request.update(context.db)
        try context.emit("logistics.request.\(request.status.rawValue)", request, label: request.label)
    }

    static func defineRoute(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.DefineRoute.self)
        guard !input.route.isEmpty, !input.areas.isEmpty else { throw CommandError(.invalidCommand, "a route needs a code and at least one area") }
        let existing = try Route.fetchOne(context.db, key: input.route)
        let route = Route(route: input.route, name: input.name, areas: input.areas, path: try Places.line(input.path, of: "a route's path"),
                          atRisk: existing?.atRisk ?? false)
        try route.save(context.db)
        try context.emit("logistics.route.defined", route, label: .internalOnly)
        return try CommandResult("logistics.route.defined", route)
    }

    static func planConvoy(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.PlanConvoy.self)
        guard try Route.fetchOne(context.db, key: input.route) != nil else { throw CommandError(.notFound, "no route '\(input.route)'") }
        guard !input.partners.isEmpty else { throw CommandError(.invalidCommand, "a convoy needs at least one partner") }
        let convoy = Convoy(convoy: input.convoy, route: input.route, partners: input.partners, request: input.request,
                            escort: nil, status: .planned)
        return try Transitions.create(convoy, service: service, event: "planned", in: context)
    }

    /// Where a convoy is now, from its tracker or its partners; told to whoever sees the convoy.
    static func reportPosition(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.ReportPosition.self)
        var convoy = try Transitions.existing(Convoy.self, input.convoy, in: context.db)
        guard convoy.status != .arrived else {
            throw CommandError(.illegalTransition, "convoy '\(convoy.convoy)' has arrived; its position is no longer reported")
        }
        convoy.position = input.position
        try convoy.update(context.db)
        try context.emit("logistics.convoy.position-reported", convoy, label: convoy.label)
        return try CommandResult("logistics.convoy.position-reported", convoy)
    }

    static func assignEscort(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.AssignEscort.self)
        var convoy = try Transitions.existing(Convoy.self, input.convoy, in: context.db)
        guard convoy.status == .planned || convoy.status == .escortAssigned else {
            throw CommandError(.illegalTransition, "convoy '\(convoy.convoy)' is \(convoy.status.rawValue); an escort is assigned before it moves")
        }
        convoy.assign(escort: input.unit, of: try UnitReplica.find(input.unit, in: context.db)?.partner)
        try convoy.update(context.db)
        try context.emit("logistics.convoy.escort-assigned", convoy, label: convoy.label)
        return try CommandResult("logistics.convoy.escort-assigned", convoy)
    }

    /// A convoy does not set off on a route at risk.
    static let refuseRouteAtRisk: Transitions.After<Convoy> = { convoy, context in
        if let route = try Route.fetchOne(context.db, key: convoy.route), route.atRisk {
            throw CommandError(.illegalTransition, "route '\(route.route)' is at risk; convoy '\(convoy.convoy)' stays halted")
        }
    }

    static func scheduleRotation(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Inputs.ScheduleRotation.self)
        try Inputs.check(date: input.outDate, field: "outDate")
        try Inputs.check(date: input.inDate, field: "inDate")
        let rotation = Rotation(rotation: input.rotation, unit: input.unit, partner: input.partner,
                                outDate: input.outDate, inDate: input.inDate, status: .scheduled)
        return try Transitions.create(rotation, service: service, event: "scheduled", in: context)
    }
}
