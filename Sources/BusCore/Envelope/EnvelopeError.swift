/// Why an envelope or its data was refused. Every refusal is dead-lettered with this reason.
public struct EnvelopeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, as a stable machine-readable code.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case malformedJSON = "malformed_json"
        case missingAttribute = "missing_attribute"
        case invalidAttribute = "invalid_attribute"
        case unsupportedSpecVersion = "unsupported_specversion"
        case oversized
        case unknownType = "unknown_type"
        case newerVersion = "newer_version"
        case invalidData = "invalid_data"
        /// Refused: the sender may not send this, or may not see the answer.
        case forbidden
    }

    public let code: Code
    /// A sentence an operator can act on.
    public let reason: String
    /// The event type, when it could be read.
    public let type: String?

    public init(_ code: Code, _ reason: String, type: String? = nil) {
        self.code = code
        self.reason = reason
        self.type = type
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
