import BusCore
import Contracts
import GRDB
import ServiceKit

/// Intelligence sharing: labelled reports with tearlines, alerts on areas, release decisions.
/// What a partner sees is decided by each event's label, never by trust in a subscriber.
public struct IntelligenceService: DomainService {
    public init() {}

    public var name: String { "intelligence" }
    public var catalog: MessageCatalog { IntelligenceCatalog.catalog }

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        IntelligenceMigrations.register(&migrator)
    }

    public var commands: CommandTable {
        let j2 = Policy.staff(.intelligence)
        var handlers: CommandTable = [
            "cmd.intelligence.report.file": Guarded(j2, IntelligenceCommands.file),
            "cmd.intelligence.alert.raise": Guarded(j2, IntelligenceCommands.raise),
            "cmd.intelligence.release.decide": Guarded(j2, IntelligenceCommands.decide),
        ]
        handlers.merge(Transitions.handlers(Report.self, service: name, policies: ["retract": j2])) { $1 }
        let ended: Transitions.After<Alert> = { alert, context in
            alert.endedAt = Timestamp.rfc3339(context.commandTime)
            try alert.update(context.db)
        }
        handlers.merge(Transitions.handlers(Alert.self, service: name, policies: ["lift": j2, "expire": j2],
                                            after: ["lift": ended, "expire": ended])) { $1 }
        return handlers
    }

    /// Alerts expire on their own when their time has passed.
    public func tick(context: CommandContext) throws {
        for var alert in try Alert.filter(Column("status") == Alert.Status.active.rawValue).fetchAll(context.db) {
            guard let expires = Timestamp.parse(alert.expires), expires <= context.now else { continue }
            alert.status = .expired
            alert.endedAt = Timestamp.rfc3339(context.now)
            try alert.update(context.db)
            try context.emit("intelligence.alert.expired", alert, label: alert.label)
        }
    }

    public var queries: QueryTable {
        var handlers = EntityQueries.handlers(Report.self, service: name, filters: ["status", "kind", "location"], roles: [.intelligence])
        handlers.merge(EntityQueries.handlers(Alert.self, service: name, filters: ["status", "area", "severity"], roles: [.intelligence])) { $1 }
        handlers.merge(EntityExports.handlers(Alert.self, service: name, filters: ["status", "area", "severity"], roles: [.intelligence])) { $1 }
        return handlers
    }
}
