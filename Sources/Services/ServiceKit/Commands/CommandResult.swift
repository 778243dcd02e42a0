import BusCore

/// What a command or query answers: a reply type, its data, and the label of that data.
public struct CommandResult: Sendable {
    public let type: String
    public let data: [UInt8]
    /// The label of what `data` contains; nil when it holds nothing above UNCLASSIFIED. A
    /// partner's answer keeps this classification and goes to the partner only if the label
    /// names it (fail closed).
    public let label: Label?

    /// A reply of `type` carrying `value` as JSON, labelled as its content.
    public init<T: Encodable>(_ type: String, _ value: T, label: Label? = nil) throws {
        self.type = type
        data = Array(try JSONCoding.encoder.encode(value))
        self.label = label
    }

    /// A reply carrying the data of an event just emitted: the same entity, encoded once.
    public init(answering event: Envelope, label: Label?) {
        type = event.type
        data = event.data ?? Array("null".utf8)
        self.label = label
    }
}
