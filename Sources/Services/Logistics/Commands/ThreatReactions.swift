import BusCore
import GRDB
import ServiceKit

/// Logistics' side of the route-threat flow: an intelligence alert on an area puts the routes
/// through it at risk and halts the convoys moving on them; when no alert covers a route any
/// more, it is cleared.
enum ThreatReactions {
    static let follow = Consumer.Follow(
        source: "concord/intelligence", topicPrefix: "intelligence.",
        types: ["intelligence.alert.raised", "intelligence.alert.lifted", "intelligence.alert.expired"])

    /// The fields of an intelligence alert logistics needs.
    struct AlertEvent: Decodable {
        var alert: String
        var area: String
    }

    static func react(to event: Envelope, context: CommandContext) throws {
        let alert = try event.decodeData(AlertEvent.self)
        if event.type == "intelligence.alert.raised" {
            try context.db.execute(sql: "INSERT OR REPLACE INTO threat (alert, area) VALUES (?, ?)", arguments: [alert.alert, alert.area])
        } else {
            try context.db.execute(sql: "DELETE FROM threat WHERE alert = ?", arguments: [alert.alert])
        }
        try reassess(context, cause: alert.alert)
    }

    /// Recomputes which routes are at risk and acts on every change.
    static func reassess(_ context: CommandContext, cause: String) throws {
        let threatened = Set(try String.fetchAll(context.db, sql: "SELECT area FROM threat"))
        for var route in try Route.fetchAll(context.db) {
            let atRisk = !threatened.isDisjoint(with: route.areas)
            guard atRisk != route.atRisk else { continue }
            route.atRisk = atRisk
            try route.update(context.db)
            try context.emit("logistics.route.\(atRisk ? "at-risk" : "cleared")", route, label: .internalOnly)
            guard atRisk else { continue }
            for var convoy in try Convoy.filter(Column("route") == route.route && Column("status") == Convoy.Status.moving.rawValue)
                .fetchAll(context.db) {
                convoy.status = .halted
                try convoy.update(context.db)
                try context.emit("logistics.convoy.halted", convoy, label: convoy.label)
            }
        }
    }
}
