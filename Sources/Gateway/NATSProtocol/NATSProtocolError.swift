/// A protocol error, carrying the `-ERR` text nats-server sends for it and whether the
/// connection closes after it.
public struct NATSProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case unknownOperation
        case maxControlLine
        case maxPayload
        case badArguments
        case invalidConnect
    }

    public let code: Code
    /// Why, for the log; never sent to the client.
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The text inside `-ERR '…'`, as nats-server words it.
    public var errText: String {
        switch code {
        case .unknownOperation, .badArguments, .invalidConnect: "Unknown Protocol Operation"
        case .maxControlLine: "Maximum Control Line Exceeded"
        case .maxPayload: "Maximum Payload Violation"
        }
    }

    public var description: String { "\(errText): \(detail)" }
}
