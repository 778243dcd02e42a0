import BusCore
import Contracts
import GRDB
import ServiceKit

/// Logistics' side of the route-threat flow: an intelligence alert on an area puts the routes
/// through it at risk and halts the convoys moving on them; when no alert covers a route any
/// more, it is cleared.
enum ThreatReactions {
    static func react(to event: Envelope, context: CommandContext) throws {
        try AlertAreaReplica.apply(event, in: context.db)
        try reassess(context)
    }

    /// Recomputes which routes are at risk and acts on every change. A convoy halted by alerts
    /// is labelled with what its partners may learn of them (each alert, or its tearline).
    static func reassess(_ context: CommandContext) throws {
        let alerts = try AlertAreaReplica.active(in: context.db)
        for var route in try Route.fetchAll(context.db) {
            let causes = alerts.filter(route.isCovered(by:))
            let atRisk = !causes.isEmpty
            guard atRisk != route.atRisk else { continue }
            route.atRisk = atRisk
            try route.update(context.db)
            try context.emit("logistics.route.\(atRisk ? "at-risk" : "cleared")", route, label: .internalOnly)
            guard atRisk else { continue }
            for var convoy in try Convoy.filter(Column("route") == route.route && Column("status") == Convoy.Status.moving.rawValue)
                .fetchAll(context.db) {
                let disclosed = causes.map { $0.disclosure(to: convoy.partners).label }
                let cause = disclosed.dropFirst().reduce(disclosed[0]) { $0.joined(with: $1) }
                convoy.status = .halted
                convoy.haltedUnder = SecurityLabel(classification: cause.classification, releasableTo: cause.releasableTo)
                try convoy.update(context.db)
                try context.emit("logistics.convoy.halted", convoy, label: convoy.label, derivedFrom: disclosed)
            }
        }
    }
}
