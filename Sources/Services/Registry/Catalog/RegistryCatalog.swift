import BusCore
import Contracts
import ServiceKit

/// Every message type of the registry with its schema versions and upcasters.
public enum RegistryCatalog {
    public static let catalog = MessageCatalog(commands + queries + events)

    static let commands: [MessageType] = [
        MessageType("cmd.registry.partner.register", summary: "Register a partner organisation; it starts as joining.", data: RegistryMessages.RegisterPartner.self),
        MessageType("cmd.registry.partner.admit", summary: "Admit a joining partner as a member.", data: RegistryMessages.PartnerTransition.self),
        MessageType("cmd.registry.partner.suspend", summary: "Suspend a partner.", data: RegistryMessages.PartnerTransition.self),
        MessageType("cmd.registry.partner.reinstate", summary: "Reinstate a suspended partner as a member.", data: RegistryMessages.PartnerTransition.self),
        MessageType("cmd.registry.partner.withdraw", summary: "Start a member's exit from the mission.", data: RegistryMessages.PartnerTransition.self),
        MessageType("cmd.registry.partner.exit", summary: "Complete an exiting partner's exit.", data: RegistryMessages.PartnerTransition.self),
        MessageType("cmd.registry.credential.issue", version: 2, summary: "Issue or replace a partner's token or password, given as its hash.",
                    data: RegistryMessages.IssueCredential.self, upcasters: [1: RegistryMessages.IssueCredential.refuseClearSecret]),
        MessageType("cmd.registry.credential.revoke", summary: "Revoke a partner's credential.", data: RegistryMessages.RevokeCredential.self),
        MessageType("cmd.registry.permissions.grant", summary: "Set a partner's publish and subscribe subjects.", data: PermissionSet.self),
        MessageType("cmd.registry.unit.register", summary: "Register a unit of a partner.", data: RegistryMessages.RegisterUnit.self),
        MessageType("cmd.registry.unit.update", summary: "Change a unit's strength, readiness, availability or location.", data: RegistryMessages.UpdateUnit.self),
        MessageType("cmd.registry.staff.appoint", summary: "Give a member of the mission's staff (operator/<name>) these roles, replacing theirs.",
                    data: StaffCommands.Appoint.self),
        MessageType("cmd.registry.staff.dismiss", summary: "Take every role from a member of the mission's staff.", data: StaffCommands.Dismiss.self),
    ]

    static let queries: [MessageType] = [
        MessageType("query.registry.partner.get", summary: "A partner by code, with permissions and credentials (no secrets).", data: RegistryMessages.GetPartner.self),
        MessageType("query.registry.partner.list", summary: "Partners, optionally by membership status.", data: RegistryMessages.ListPartners.self),
        MessageType("query.registry.unit.list", summary: "Units by type, readiness, availability or partner.", data: RegistryMessages.ListUnits.self),
        MessageType("query.registry.staff.list", summary: "The mission's staff and their roles.", data: [String: String].self),
        MessageType("query.registry.area.list", summary: "The mission's named areas (GeoJSON outlines), optionally by kind (state, town).", data: [String: String].self),
    ]

    /// The registry's own events: what other parts read is declared in `RegistryContract`.
    static let events: [MessageType] = RegistryContract.types + [
        MessageType("registry.partner.found", summary: "Answer to query.registry.partner.get.", data: RegistryMessages.PartnerDetails.self).labelled("unclassified, releasable to the partner itself"),
        MessageType("registry.partners.listed", summary: "Answer to query.registry.partner.list.", data: RegistryMessages.PartnerList.self).labelled(Label.listRule),
        MessageType("registry.units.listed", summary: "Answer to query.registry.unit.list.", data: RegistryMessages.UnitList.self).labelled(Label.listRule),
        MessageType("registry.staff.listed", summary: "Answer to query.registry.staff.list.", data: [String: [StaffMember]].self).labelled("releasable to no partner: for the mission's staff"),
        MessageType("registry.areas.listed", summary: "Answer to query.registry.area.list.", data: [String: [MissionArea]].self).labelled("unclassified, releasable to the asker: the mission's areas are the same for every partner"),
        MessageType("registry.command.rejected", summary: "A registry command or query was refused, with code and reason.", data: CommandError.self).labelled(Label.refusalRule),
    ] + EntityExports.messageTypes(MissionUnit.self, service: "registry", entity: "unit") + LogisticsContract.convoyTypes + TrainingContract.types
}
