/// A partner's place in the mission: joining → member → exiting → exited, or suspended.
public enum Membership: String, Codable, Sendable, CaseIterable {
    case joining, member, suspended, exiting, exited

    /// A change of membership and the event that reports it.
    public enum Transition: String, Sendable, CaseIterable {
        case admit, suspend, reinstate, withdraw, exit

        /// The states this transition may start from.
        public var from: Set<Membership> {
            switch self {
            case .admit: [.joining]
            case .suspend: [.joining, .member, .exiting]
            case .reinstate: [.suspended]
            case .withdraw: [.member]
            case .exit: [.exiting]
            }
        }

        /// The state it leads to.
        public var to: Membership {
            switch self {
            case .admit, .reinstate: .member
            case .suspend: .suspended
            case .withdraw: .exiting
            case .exit: .exited
            }
        }

        /// The past-tense event verb, e.g. `admitted`.
        public var eventVerb: String {
            switch self {
            case .admit: "admitted"
            case .suspend: "suspended"
            case .reinstate: "reinstated"
            case .withdraw: "withdrawn"
            case .exit: "exited"
            }
        }
    }

    /// The state after `transition`, or nil when it is not allowed from here.
    public func applying(_ transition: Transition) -> Membership? {
        transition.from.contains(self) ? transition.to : nil
    }
}
