import BusCore

/// Whom an allowed command or query is answered for: the mission's staff, who see everything
/// their service holds, or one partner, who sees only what concerns it and what its label
/// allows. Handlers of lists use it to filter; the intake labels answers with it.
public enum Audience: Sendable, Equatable {
    case staff(name: String, roles: Set<MissionRole>)
    /// The partner and the clearance the gateway stamped on its request (nil: unknown, so only
    /// unclassified content).
    case partner(code: String, clearance: Classification?)

    /// The partner's code, for a partner.
    public var partner: String? {
        if case .partner(let code, _) = self { return code }
        return nil
    }

    /// Whether content with `label` may be shown to this audience: staff see everything; a
    /// partner what is releasable to it at or below its clearance.
    public func maySee(_ label: Label) -> Bool {
        switch self {
        case .staff: true
        case .partner(let code, let clearance):
            label.releasableTo.contains(code) && label.classification <= (clearance ?? .unclassified)
        }
    }
}
