import BusCore
import ServiceKit

/// What the registry publishes that other parts read: units (logistics, training) and the
/// partner directory (the gateway). Declared once here, with versions, upcasters, recorded
/// examples and labels; the registry's catalog and every follower's use these values.
public enum RegistryContract {
    public static let source = "concord/registry"

    /// Version 1 had the location as a bare place name; version 2 made it an object with
    /// optional coordinates; version 3 added readiness and availability.
    public static let unitRegistered = MessageType(
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
        ]).labelled("unclassified, releasable to the unit's partner")

    public static let unitUpdated = MessageType(
        "registry.unit.updated", summary: "A unit's state changed; carries the whole unit.", data: MissionUnit.self,
        examples: [1: #"{"unit":"NLD-ENG-1","partner":"NLD","type":"engineers","strength":110,"readiness":"limited","availability":"tasked","location":{"name":"Bor"}}"#]).labelled("unclassified, releasable to the unit's partner; joined with what it was computed from when a reaction emits it (a convoy it escorts, a certification)")

    public static let partnerRegistered = MessageType(
        "registry.partner.registered", summary: "A partner was registered.", data: Partner.self,
        examples: [1: #"{"code":"WFP","name":"World Food Programme","kind":"un-body","clearance":"RESTRICTED","status":"joining"}"#]).labelled("unclassified, releasable to the partner itself")

    /// One type per membership transition (`registry.partner.admitted`, `…suspended`, …).
    public static let partnerStatusChanges: [MessageType] = Membership.Transition.allCases.map { transition in
        MessageType("registry.partner.\(transition.eventVerb)", summary: transition.summary, data: PartnerStatusChanged.self,
                    examples: [1: #"{"code":"WFP","status":"\#(transition.to.rawValue)","previous":"\#(transition.from.sorted { $0.rawValue < $1.rawValue }[0].rawValue)"}"#])
            .labelled("unclassified, releasable to the partner itself")
    }

    public static let credentialIssued = MessageType(
        "registry.credential.issued", summary: "A partner credential was issued (hash only).", data: Credential.self,
        examples: [1: #"{"partner":"WFP","kind":"token","user":"","hash":"sha256$9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","issuedAt":"2026-11-21T08:00:00Z"}"#]).labelled("secret, releasable to no partner (credential hashes)")

    public static let credentialRevoked = MessageType(
        "registry.credential.revoked", summary: "A partner credential was revoked.", data: CredentialSummary.self,
        examples: [1: #"{"partner":"WFP","kind":"token","user":"","issuedAt":"2026-11-21T08:00:00Z"}"#]).labelled("secret, releasable to no partner (access control)")

    public static let permissionsGranted = MessageType(
        "registry.permissions.granted", summary: "A partner's subject permissions were set.", data: PermissionSet.self,
        examples: [1: #"{"partner":"WFP","publish":["cmd.logistics.request.create","query.logistics.>"],"subscribe":["logistics.request.*"]}"#]).labelled("secret, releasable to no partner (access control)")

    /// Unit events, which logistics and training keep a replica of.
    public static let unitTypes = [unitRegistered, unitUpdated]
    /// Everything the gateway's partner directory is built from.
    public static let directoryTypes = [partnerRegistered] + partnerStatusChanges + [credentialIssued, credentialRevoked, permissionsGranted]
    /// Who on the mission's staff holds which role: every service keeps a copy (`StaffRoles`,
    /// declared in the service kit, which applies them).
    public static let staffTypes = StaffRoles.messageTypes
    /// Every type of this contract.
    public static let types = unitTypes + directoryTypes + staffTypes

    /// Following the registry's unit events.
    public static let units = Consumer.Follow(source: source, topicPrefix: "registry.unit.", types: Set(unitTypes.map(\.name)))
}

extension Membership.Transition {
    /// One line for the catalog documents.
    var summary: String {
        switch self {
        case .admit: "A partner became a member."
        case .suspend: "A partner was suspended."
        case .reinstate: "A suspended partner became a member again."
        case .withdraw: "A member started to exit."
        case .exit: "A partner left the mission."
        }
    }
}
