import BusCore
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
        MessageType("cmd.registry.credential.issue", summary: "Issue or replace a partner's token or password.", data: RegistryMessages.IssueCredential.self),
        MessageType("cmd.registry.credential.revoke", summary: "Revoke a partner's credential.", data: RegistryMessages.RevokeCredential.self),
        MessageType("cmd.registry.permissions.grant", summary: "Set a partner's publish and subscribe subjects.", data: PermissionSet.self),
        MessageType("cmd.registry.unit.register", summary: "Register a unit of a partner.", data: RegistryMessages.RegisterUnit.self),
        MessageType("cmd.registry.unit.update", summary: "Change a unit's strength, readiness, availability or location.", data: RegistryMessages.UpdateUnit.self),
    ]

    static let queries: [MessageType] = [
        MessageType("query.registry.partner.get", summary: "A partner by code, with permissions and credentials (no secrets).", data: RegistryMessages.GetPartner.self),
        MessageType("query.registry.partner.list", summary: "Partners, optionally by membership status.", data: RegistryMessages.ListPartners.self),
        MessageType("query.registry.unit.list", summary: "Units by type, readiness, availability or partner.", data: RegistryMessages.ListUnits.self),
    ]

    static let events: [MessageType] = [
        MessageType("registry.partner.registered", summary: "A partner was registered.", data: Partner.self),
        MessageType("registry.partner.admitted", summary: "A partner became a member.", data: RegistryMessages.StatusChanged.self),
        MessageType("registry.partner.suspended", summary: "A partner was suspended.", data: RegistryMessages.StatusChanged.self),
        MessageType("registry.partner.reinstated", summary: "A suspended partner became a member again.", data: RegistryMessages.StatusChanged.self),
        MessageType("registry.partner.withdrawn", summary: "A member started to exit.", data: RegistryMessages.StatusChanged.self),
        MessageType("registry.partner.exited", summary: "A partner left the mission.", data: RegistryMessages.StatusChanged.self),
        MessageType("registry.credential.issued", summary: "A partner credential was issued (hash only).", data: Credential.self),
        MessageType("registry.credential.revoked", summary: "A partner credential was revoked.", data: RegistryMessages.CredentialSummary.self),
        MessageType("registry.permissions.granted", summary: "A partner's subject permissions were set.", data: PermissionSet.self),
        unitRegistered,
        MessageType("registry.unit.updated", summary: "A unit's state changed; carries the whole unit.", data: MissionUnit.self),
        MessageType("registry.partner.found", summary: "Answer to query.registry.partner.get.", data: RegistryMessages.PartnerDetails.self),
        MessageType("registry.partners.listed", summary: "Answer to query.registry.partner.list.", data: RegistryMessages.PartnerList.self),
        MessageType("registry.units.listed", summary: "Answer to query.registry.unit.list.", data: RegistryMessages.UnitList.self),
        MessageType("registry.command.rejected", summary: "A registry command or query was refused, with code and reason.", data: CommandError.self),
        MessageType("logistics.convoy.escort-assigned", summary: "A unit was assigned to escort a convoy (followed)."),
        MessageType("logistics.convoy.arrived", summary: "A convoy arrived (followed)."),
        MessageType("training.unit.certified", summary: "A unit was certified (followed)."),
    ]

    /// Version 1 had the location as a bare place name; version 2 made it an object with
    /// optional coordinates; version 3 added readiness and availability.
    static let unitRegistered = MessageType(
        "registry.unit.registered", version: 3, summary: "A unit was registered.", data: MissionUnit.self,
        upcasters: [
            1: { data in data["location"] = .object(["name": data["location"] ?? .string("unknown")]) },
            2: { data in
                data["readiness"] = .string(MissionUnit.Readiness.unknown.rawValue)
                data["availability"] = .string(MissionUnit.Availability.available.rawValue)
            },
        ],
        examples: [
            1: #"{"unit":"NLD-ENG-1","partner":"NLD","type":"engineers","strength":120,"location":"Juba"}"#,
            2: #"{"unit":"NLD-ENG-1","partner":"NLD","type":"engineers","strength":120,"location":{"name":"Juba","lat":4.85,"lon":31.58}}"#,
            3: #"{"unit":"NLD-ENG-1","partner":"NLD","type":"engineers","strength":120,"readiness":"ready","availability":"available","location":{"name":"Juba","lat":4.85,"lon":31.58}}"#,
        ])
}
