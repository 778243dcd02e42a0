/// A failure of the bus transport as seen by its callers.
public struct BusError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// Nobody answered a request or a catch-up fetch in time.
        case timeout
        /// The connection was closed while the call was waiting.
        case closed
        /// The proxy could not be reached when connecting.
        case proxyUnreachable = "proxy_unreachable"
        /// A reply arrived but could not be read.
        case invalidReply = "invalid_reply"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
