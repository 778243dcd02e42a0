/// The states of one kind of entity and the commands that move it between them, so every
/// service refuses an illegal transition the same way: naming the state it is in and the
/// states the command is allowed from.
public struct Lifecycle<State: RawRepresentable & Hashable & Sendable>: Sendable where State.RawValue == String {
    /// One command's move.
    public struct Step: Sendable {
        /// The command verb, e.g. `approve` in `cmd.logistics.request.approve`.
        public let verb: String
        public let from: Set<State>
        public let to: State
        /// The past-tense event verb, e.g. `approved` in `logistics.request.approved`.
        public let event: String

        public init(_ verb: String, from: Set<State>, to: State, event: String) {
            self.verb = verb
            self.from = from
            self.to = to
            self.event = event
        }
    }

    /// The entity's name in types, e.g. `request`.
    public let entity: String
    public let steps: [Step]

    public init(_ entity: String, _ steps: [Step]) {
        self.entity = entity
        self.steps = steps
    }

    /// The step for `verb` from `current`, or `illegal_transition` naming what is allowed.
    public func step(_ verb: String, from current: State, id: String) throws -> Step {
        guard let step = steps.first(where: { $0.verb == verb }) else {
            throw CommandError(.unknownCommand, "a \(entity) has no '\(verb)'")
        }
        guard step.from.contains(current) else {
            let allowed = step.from.map(\.rawValue).sorted().joined(separator: ", ")
            throw CommandError(.illegalTransition,
                               "\(entity) '\(id)' is \(current.rawValue) and cannot be \(step.event); allowed from: \(allowed)")
        }
        return step
    }
}
