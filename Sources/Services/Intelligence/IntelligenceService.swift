import BusCore
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

    public var commands: [String: CommandHandler] {
        var handlers: [String: CommandHandler] = [
            "cmd.intelligence.report.file": IntelligenceCommands.file,
            "cmd.intelligence.alert.raise": IntelligenceCommands.raise,
            "cmd.intelligence.release.decide": IntelligenceCommands.decide,
        ]
        handlers.merge(Transitions.handlers(Report.self, service: name)) { $1 }
        handlers.merge(Transitions.handlers(Alert.self, service: name)) { $1 }
        return handlers
    }

    /// Alerts expire on their own when their time has passed.
    public func tick(context: CommandContext) throws {
        for var alert in try Alert.filter(Column("status") == Alert.Status.active.rawValue).fetchAll(context.db) {
            guard let expires = Timestamp.parse(alert.expires), expires <= context.now else { continue }
            alert.status = .expired
            try alert.update(context.db)
            try context.emit("intelligence.alert.expired", alert, label: alert.label)
        }
    }

    public var queries: [String: QueryHandler] {
        var handlers = EntityQueries.handlers(Report.self, service: name, filters: ["status", "kind", "location"])
        handlers.merge(EntityQueries.handlers(Alert.self, service: name, filters: ["status", "area", "severity"])) { $1 }
        return handlers
    }
}

/// Every message type of intelligence.
public enum IntelligenceCatalog {
    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.intelligence.report.file", summary: "File a labelled report, optionally with a tearline.", data: IntelligenceCommands.FileReport.self),
            MessageType("intelligence.report.filed", summary: "A report was filed (labelled as the report).", data: Report.self),
            MessageType("intelligence.report.tearline-issued", summary: "A report's tearline summary (labelled as the tearline).", data: IntelligenceCommands.TearlineIssued.self),
            MessageType("cmd.intelligence.alert.raise", summary: "Raise an alert on an area, with an expiry.", data: IntelligenceCommands.RaiseAlert.self),
            MessageType("intelligence.alert.raised", summary: "An alert was raised (labelled as the alert).", data: Alert.self),
            MessageType("intelligence.alert.tearline-issued", summary: "An alert's tearline summary.", data: IntelligenceCommands.TearlineIssued.self),
            MessageType("cmd.intelligence.release.decide", summary: "Grant or deny a report's release to a partner.", data: IntelligenceCommands.DecideRelease.self),
            MessageType("intelligence.release.decided", summary: "A release decision was recorded.", data: ReleaseDecision.self),
            MessageType("intelligence.report.released", summary: "A report released to one partner by decision.", data: Report.self),
            MessageType("intelligence.command.rejected", summary: "An intelligence command or query was refused.", data: CommandError.self),
        ]
        + EntityQueries.transitionTypes(Report.self, service: "intelligence")
        + EntityQueries.transitionTypes(Alert.self, service: "intelligence")
        + EntityQueries.messageTypes(Report.self, service: "intelligence") + EntityQueries.messageTypes(Alert.self, service: "intelligence")
    )
}
