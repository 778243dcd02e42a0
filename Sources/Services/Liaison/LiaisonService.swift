import BusCore
import Contracts
import GRDB
import ServiceKit

/// Civil-military liaison: requests for assistance, humanitarian notifications, deconfliction notices.
public struct LiaisonService: DomainService {
    public init() {}

    public var name: String { "liaison" }
    public var catalog: MessageCatalog { LiaisonCatalog.catalog }

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("liaison-v1") { db in
            try db.create(table: AssistanceRequest.databaseTableName) { table in
                table.primaryKey("rfa", .text)
                table.column("requester", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("justification", .text).notNull()
                table.column("route", .text)
                table.column("location", .text).notNull()
                table.column("neededBy", .text).notNull()
                table.column("convoy", .text).indexed()
                table.column("status", .text).notNull()
            }
            try db.create(table: HumanitarianNotification.databaseTableName) { table in
                table.primaryKey("notification", .text)
                table.column("partner", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("location", .text).notNull().indexed()
                table.column("route", .text)
                table.column("from", .text).notNull()
                table.column("until", .text).notNull()
                table.column("status", .text).notNull()
            }
            try db.create(table: DeconflictionNotice.databaseTableName) { table in
                table.primaryKey("notice", .text)
                table.column("area", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("alert", .text).indexed()
                table.column("partners", .jsonText).notNull()
                table.column("status", .text).notNull()
            }
        }
        // Notices keep the label of the alert (or tearline) they came from; those issued before
        // did not, so they count as `Label.unknown` (fail closed).
        migrator.registerMigration("liaison-v2-notice-label") { db in
            try db.alter(table: DeconflictionNotice.databaseTableName) { table in
                table.add(column: "securityLabel", .jsonText)
            }
            try db.execute(sql: """
                UPDATE deconfliction_notice SET securityLabel = json_object('policy', 'UN-MISSION', 'classification', ?, 'releasableTo', json('[]'))
                """, arguments: [Label.unknown.classification.rawValue])
        }
        migrator.registerMigration("liaison-v3-geography") { db in
            try db.alter(table: HumanitarianNotification.databaseTableName) { table in
                table.add(column: "point", .jsonText)
                table.add(column: "path", .jsonText)
            }
        }
    }

    public var follows: [Consumer.Follow] { LiaisonCommands.follows }

    public func react(to event: Envelope, context: CommandContext) throws {
        try LiaisonCommands.react(to: event, context: context)
    }

    /// Notifications expire on their own after their last day.
    public func tick(context: CommandContext) throws {
        let today = String(Timestamp.rfc3339(context.now).prefix(10))
        for var notification in try HumanitarianNotification.filter(Column("status") != "expired").fetchAll(context.db)
        where String(notification.until.prefix(10)) < today {
            notification.status = .expired
            try notification.update(context.db)
            try context.emit("liaison.notification.expired", notification, label: notification.label)
        }
    }

    public var commands: CommandTable {
        let cimic = Policy.staff(.civilMilitary)
        var handlers: CommandTable = [
            "cmd.liaison.rfa.submit": Guarded(cimic.partners(.namingItself(field: "requester")), LiaisonCommands.submit),
            "cmd.liaison.notification.notify": Guarded(cimic.partners(.namingItself(field: "partner")), LiaisonCommands.notify),
        ]
        handlers.merge(Transitions.handlers(AssistanceRequest.self, service: name, policies: [
            "validate": cimic, "reject": cimic, "task": cimic, "complete": cimic,
        ])) { $1 }
        handlers.merge(Transitions.handlers(HumanitarianNotification.self, service: name, policies: [
            "acknowledge": cimic,
            "expire": cimic.partners(.related(.of(HumanitarianNotification.self, "notifying partner", column: "partner"))),
        ])) { $1 }
        handlers.merge(Transitions.handlers(DeconflictionNotice.self, service: name, policies: ["lift": cimic])) { $1 }
        return handlers
    }

    public var queries: QueryTable {
        let roles: Set<MissionRole> = [.civilMilitary]
        var handlers = EntityQueries.handlers(AssistanceRequest.self, service: name, filters: ["status", "requester", "kind"], roles: roles)
        handlers.merge(EntityQueries.handlers(HumanitarianNotification.self, service: name, filters: ["status", "partner", "location"], roles: roles)) { $1 }
        handlers.merge(EntityExports.handlers(HumanitarianNotification.self, service: name, filters: ["status", "partner", "location"], roles: roles)) { $1 }
        handlers.merge(EntityQueries.handlers(DeconflictionNotice.self, service: name, filters: ["status", "area"], roles: roles)) { $1 }
        return handlers
    }
}
