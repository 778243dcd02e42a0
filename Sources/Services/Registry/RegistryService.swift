import BusCore
import Contracts
import GRDB
import ServiceKit

/// The registry: partner organisations, their credentials and subject permissions, their units
/// and their membership of the mission.
public struct RegistryService: DomainService {
    public init() {}

    public var name: String { "registry" }
    public var catalog: MessageCatalog { RegistryCatalog.catalog }

    public func registerMigrations(_ migrator: inout DatabaseMigrator) {
        RegistryMigrations.register(&migrator)
    }

    public var follows: [Consumer.Follow] { TaskingReactions.follows }

    public func react(to event: Envelope, context: CommandContext) throws {
        try TaskingReactions.react(to: event, context: context)
    }

    public var commands: CommandTable {
        let administration = Policy.staff(.registryAdministration)
        let unitOwner = Relation.column("unit owner", of: "unit", table: MissionUnit.databaseTableName, keyField: "unit", column: "partner")
        var handlers: CommandTable = [
            "cmd.registry.partner.register": Guarded(administration, PartnerCommands.register),
            "cmd.registry.credential.issue": Guarded(administration, AccessCommands.issue),
            "cmd.registry.credential.revoke": Guarded(administration, AccessCommands.revoke),
            "cmd.registry.permissions.grant": Guarded(administration, AccessCommands.grant),
            "cmd.registry.staff.appoint": Guarded(administration, StaffCommands.appoint),
            "cmd.registry.staff.dismiss": Guarded(administration, StaffCommands.dismiss),
            "cmd.registry.unit.register": Guarded(administration.partners(.namingItself(field: "partner")), UnitCommands.register),
            "cmd.registry.unit.update": Guarded(administration.partners(.related(unitOwner)), UnitCommands.update),
        ]
        for transition in Membership.Transition.allCases {
            handlers["cmd.registry.partner.\(transition.rawValue)"] = Guarded(administration, PartnerCommands.transition(transition))
        }
        return handlers
    }

    public var queries: QueryTable {
        let itself = Relation("partner itself", of: "partner", keyField: "code") { code, db in
            try Partner.fetchOne(db, key: code).map { [$0.code] }
        }
        return [
            "query.registry.partner.get": Guarded(Policy.staff(.registryAdministration).partners(.related(itself)), RegistryQueries.partner),
            "query.registry.partner.list": Guarded(Policy.staff(.registryAdministration).partners(.filtered(by: "itself")), RegistryQueries.partners),
            "query.registry.unit.list": Guarded(Policy.staff(.registryAdministration, .logisticsCell, .training).partners(.filtered(by: "its own units")),
                                                RegistryQueries.units),
            "query.registry.staff.list": Guarded(Policy.staff(.registryAdministration), StaffCommands.list),
            "query.registry.unit.export": Guarded(Policy.staff(.registryAdministration, .logisticsCell, .training).partners(.filtered(by: "its own units")),
                                                  RegistryQueries.exportUnits),
            "query.registry.area.list": Guarded(Policy(roles: Set(MissionRole.allCases), partners: .filtered(by: "the mission's areas, the same for all")),
                                                RegistryQueries.areas),
        ]
    }
}
