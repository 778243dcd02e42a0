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

    public var commands: [String: CommandHandler] {
        var handlers: [String: CommandHandler] = [
            "cmd.registry.partner.register": PartnerCommands.register,
            "cmd.registry.credential.issue": AccessCommands.issue,
            "cmd.registry.credential.revoke": AccessCommands.revoke,
            "cmd.registry.permissions.grant": AccessCommands.grant,
            "cmd.registry.unit.register": UnitCommands.register,
            "cmd.registry.unit.update": UnitCommands.update,
        ]
        for transition in Membership.Transition.allCases {
            handlers["cmd.registry.partner.\(transition.rawValue)"] = PartnerCommands.transition(transition)
        }
        return handlers
    }

    public var queries: [String: QueryHandler] {
        [
            "query.registry.partner.get": RegistryQueries.partner,
            "query.registry.partner.list": RegistryQueries.partners,
            "query.registry.unit.list": RegistryQueries.units,
        ]
    }
}
