import BusCore

/// What a command or query answers: a reply type and its data.
public struct CommandResult: Sendable {
    public let type: String
    public let data: [UInt8]

    /// A reply of `type` carrying `value` as JSON.
    public init<T: Encodable>(_ type: String, _ value: T) throws {
        self.type = type
        data = Array(try JSONCoding.encoder.encode(value))
    }
}
