import BusCore

/// Who may send one command or query type. Declared as a value beside the type's handler and
/// checked once by the intake, before the handler runs; docs/authorization.md is written from
/// these declarations, and a test is generated from them.
public struct Policy: Sendable {
    /// What a partner may do with the type.
    public enum PartnerRule: Sendable {
        /// No partner may send it.
        case never
        /// A partner may send it naming itself in `field` (a partner names only itself).
        case namingItself(field: String)
        /// A partner may send it about an entity it stands in `relation` to. For any other
        /// partner the entity does not exist: the answer is `not_found`, as for a missing key.
        case related(Relation)
        /// Any partner may ask; the answer holds only what concerns it (`relation` says what).
        case filtered(by: String)
    }

    /// Mission staff holding one of these roles may send it.
    public var roles: Set<MissionRole>
    public var partners: PartnerRule

    public init(roles: Set<MissionRole>, partners: PartnerRule = .never) {
        self.roles = roles
        self.partners = partners
    }

    /// Staff with `roles` only.
    public static func staff(_ roles: MissionRole...) -> Policy { Policy(roles: Set(roles)) }

    /// The rule as docs/authorization.md and refusals state it.
    public var summary: String {
        let staff = roles.sorted().map(\.title).joined(separator: ", ")
        let partner: String
        switch partners {
        case .never: partner = "no partner"
        case .namingItself(let field): partner = "a partner naming itself as `\(field)`"
        case .related(let relation): partner = "the entity's \(relation.name)"
        case .filtered(let what): partner = "any partner, answered with \(what) only"
        }
        return staff.isEmpty ? partner : "\(staff); \(partner)"
    }
}

extension Policy {
    /// Adds what partners may do to a staff policy.
    public func partners(_ rule: PartnerRule) -> Policy { Policy(roles: roles, partners: rule) }
}

/// A handler with the policy that guards it.
public struct Guarded<Handler: Sendable>: Sendable {
    public let policy: Policy
    public let handler: Handler

    public init(_ policy: Policy, _ handler: Handler) {
        self.policy = policy
        self.handler = handler
    }
}
