import BusCore
import Contracts
import Geography
import GRDB
import ServiceKit

/// Creating commands of liaison, and its reactions to intelligence and logistics.
enum LiaisonCommands {
    static let service = "liaison"

    struct SubmitRequest: Decodable {
        var rfa: String
        var requester: String
        var kind: AssistanceRequest.Kind
        var justification: String
        var route: String?
        var location: String
        var neededBy: String
    }

    struct Notify: Decodable {
        var notification: String
        var partner: String
        var kind: HumanitarianNotification.Kind
        var location: String
        var point: Position?
        var route: String?
        var path: Geometry?
        var from: String
        var until: String
    }

    static func submit(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(SubmitRequest.self)
        // Last resort: military assets only when no civilian alternative exists, and the request must say why.
        guard input.justification.trimmingCharacters(in: .whitespaces).count >= 20 else {
            throw CommandError(.invalidCommand, "justification must explain why no civilian means will do (last resort), in at least 20 characters")
        }
        if input.kind == .escort || input.kind == .transport, input.route == nil {
            throw CommandError(.invalidCommand, "an \(input.kind.rawValue) request needs a route")
        }
        let request = AssistanceRequest(rfa: input.rfa, requester: input.requester, kind: input.kind, justification: input.justification,
                                        route: input.route, location: input.location, neededBy: input.neededBy, convoy: nil, status: .submitted)
        return try Transitions.create(request, service: service, event: "submitted", in: context)
    }

    static func notify(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Notify.self)
        let notification = HumanitarianNotification(notification: input.notification, partner: input.partner, kind: input.kind,
                                                    location: input.location, point: Places.point(input.location, given: input.point),
                                                    route: input.route, path: try Places.line(input.path, of: "a movement's path"), from: input.from,
                                                    until: input.until, status: .notified)
        return try Transitions.create(notification, service: service, event: "notified", in: context)
    }

    // MARK: Reactions

    // Only convoy events cross the wire from logistics: the rest of its journal moves the cursor
    // through catch-up, which skips the types not wanted.
    static let follows: [Consumer.Follow] = [IntelligenceContract.alerts, LogisticsContract.escorts]

    static func react(to event: Envelope, context: CommandContext) throws {
        switch event.type {
        case "intelligence.alert.raised":
            let alert = try event.decodeData(Alert.self)
            // Partners with sites or movements there are the ones to tell, with what they may
            // learn of the alert: the alert itself, or its tearline.
            let notified = try HumanitarianNotification.filter(Column("status") != HumanitarianNotification.Status.expired.rawValue)
                .fetchAll(context.db)
            let partners = Set(notified.filter { Places.covers(area: alert.area, alert.polygon, place: $0.location, $0.geometry) }
                .map(\.partner)).sorted()
            let disclosure = alert.disclosure(to: partners, label: Label(of: event))
            let label = Label(.unclassified, releasableTo: partners).joined(with: disclosure.label)
            let notice = DeconflictionNotice(notice: "DN-\(disclosure.reference)", area: alert.area,
                                             reason: disclosure.throughTearline ? "military activity expected: \(disclosure.summary)"
                                                                                : "military activity expected after alert \(alert.alert)",
                                             alert: disclosure.reference, partners: partners, status: .issued,
                                             securityLabel: SecurityLabel(classification: label.classification, releasableTo: label.releasableTo))
            if try DeconflictionNotice.fetchOne(context.db, key: notice.notice) == nil {
                _ = try Transitions.create(notice, service: service, event: "issued", in: context, derivedFrom: [])
            }
        case "intelligence.alert.lifted", "intelligence.alert.expired":
            let alert = try event.decodeData(Alert.self)
            let references = [alert.alert, AlertDisclosure.pseudonym(of: alert.alert)]
            for var notice in try DeconflictionNotice.filter(references.contains(Column("alert")) && Column("status") == "issued").fetchAll(context.db) {
                notice.status = .lifted
                try notice.update(context.db)
                // The notice's label already holds what it was computed from.
                try context.emit("liaison.notice.lifted", notice, label: notice.label, derivedFrom: [])
            }
        case "logistics.convoy.escort-assigned":
            // The escort is found: the request is tasked and the movement notified.
            let convoy = try event.decodeData(Convoy.self)
            guard let rfa = convoy.request, var request = try AssistanceRequest.fetchOne(context.db, key: rfa),
                  request.status == .validated else { return }
            request.status = .tasked
            request.convoy = convoy.convoy
            try request.update(context.db)
            try context.emit("liaison.rfa.tasked", request, label: request.label)
            let movement = HumanitarianNotification(notification: "MV-\(convoy.convoy)", partner: request.requester, kind: .movement,
                                                    location: request.location, point: Places.point(request.location, given: nil),
                                                    route: convoy.route, from: request.neededBy,
                                                    until: request.neededBy, status: .notified)
            if try HumanitarianNotification.fetchOne(context.db, key: movement.notification) == nil {
                _ = try Transitions.create(movement, service: service, event: "notified", in: context)
            }
        case "logistics.convoy.arrived":
            let convoy = try event.decodeData(Convoy.self)
            for var request in try AssistanceRequest.filter(Column("convoy") == convoy.convoy && Column("status") == "tasked").fetchAll(context.db) {
                request.status = .completed
                try request.update(context.db)
                try context.emit("liaison.rfa.completed", request, label: request.label)
            }
        default:
            break
        }
    }
}
