/// Why a command or query was refused. Sent back as `<service>.command.rejected`.
public struct CommandError: Error, CustomStringConvertible, Sendable, Codable, Equatable {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// Missing fields, wrong types, values out of range.
        case invalidCommand = "invalid_command"
        /// No command or query of that type.
        case unknownCommand = "unknown_command"
        /// A newer schema version than this service knows.
        case newerVersion = "newer_version"
        /// The thing named does not exist, or the sender has no relation to it (the two are
        /// not told apart, so a refusal never reveals what the sender may not see).
        case notFound = "not_found"
        /// The sender may not send this: the message names the rule.
        case forbidden
        /// It exists already.
        case duplicate
        /// The state does not allow it, e.g. admitting a suspended partner.
        case illegalTransition = "illegal_transition"
        /// The service failed; the command changed nothing.
        case internalError = "internal_error"
    }

    public let code: Code
    public let message: String
    /// The command type that was refused.
    public var command: String?

    public init(_ code: Code, _ message: String, command: String? = nil) {
        self.code = code
        self.message = message
        self.command = command
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
