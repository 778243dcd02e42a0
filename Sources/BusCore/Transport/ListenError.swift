/// A part could not listen where it was told to: the address is taken, not local, or malformed.
/// The part stops at once with this error instead of running half-started.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    /// What was to listen there, e.g. `the bus's publish socket` or `the partner gateway`.
    public let what: String
    /// The address, e.g. `tcp://127.0.0.1:7701` or `127.0.0.1:4222`.
    public let address: String
    /// Why, in the system's words (e.g. `Address already in use`).
    public let reason: String
    /// How to fix it, in terms of the options of the command that failed.
    public var hint: String?

    public init(what: String, address: String, reason: String, hint: String? = nil) {
        self.what = what
        self.address = address
        self.reason = reason
        self.hint = hint
    }

    public var description: String {
        "cannot listen for \(what) at \(address): \(reason)" + (hint.map { "; \($0)" } ?? "")
    }
}
