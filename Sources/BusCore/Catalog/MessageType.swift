/// Rewrites the data of one schema version into the next one.
public typealias Upcaster = @Sendable (inout JSONValue) throws -> Void

/// One entry of the catalog: a message type, its current schema version, and how every older
/// version becomes the current one.
public struct MessageType: Sendable {
    /// The type, which is also the topic, e.g. `registry.unit.registered`.
    public let name: String
    /// The newest schema version this build knows.
    public let version: Int
    /// One line for the catalog documents.
    public let summary: String
    /// `upcasters[v]` turns version `v` into `v + 1`; one per version below `version`.
    public let upcasters: [Int: Upcaster]
    /// Recorded examples of every version, oldest first, as stored on the bus back then.
    public let examples: [Int: String]
    /// JSON Schema of the current version's `data`, derived from the Swift type that decodes it.
    public let schema: JSONValue?
    /// Decodes an envelope's current-version `data` as the Swift type that reads it, throwing
    /// what does not fit (nil for types declared without one).
    public let checkData: (@Sendable (Envelope) throws -> Void)?
    /// For an event or answer: how its label is computed (docs/authorization.md); nil for
    /// commands and queries, whose senders their policies name.
    public private(set) var labelRule: String?

    public init(_ name: String, version: Int = 1, summary: String,
                upcasters: [Int: Upcaster] = [:], examples: [Int: String] = [:]) {
        precondition((1..<version).allSatisfy { upcasters[$0] != nil }, "\(name): an upcaster is missing")
        self.name = name
        self.version = version
        self.summary = summary
        self.upcasters = upcasters
        self.examples = examples
        schema = nil
        checkData = nil
    }

    /// A type whose current `data` is decoded as `D`: its schema is derived from `D`.
    public init<D: Decodable>(_ name: String, version: Int = 1, summary: String, data: D.Type,
                              userInfo: [CodingUserInfoKey: any Sendable] = [:],
                              upcasters: [Int: Upcaster] = [:], examples: [Int: String] = [:]) {
        precondition((1..<version).allSatisfy { upcasters[$0] != nil }, "\(name): an upcaster is missing")
        self.name = name
        self.version = version
        self.summary = summary
        self.upcasters = upcasters
        self.examples = examples
        schema = SchemaInference.schema(of: D.self, userInfo: userInfo)
        checkData = { envelope in _ = try envelope.decodeData(D.self, userInfo: userInfo) }
    }

    private init(copying type: MessageType, examples: [Int: String], version: Int? = nil, upcasters: [Int: Upcaster]? = nil) {
        name = type.name
        self.version = version ?? type.version
        summary = type.summary
        self.upcasters = upcasters ?? type.upcasters
        self.examples = examples
        schema = type.schema
        checkData = type.checkData
        labelRule = type.labelRule
    }

    /// The same type with these recorded examples.
    public func withExamples(_ examples: [Int: String]) -> MessageType { MessageType(copying: self, examples: examples) }

    /// The same type one schema version on: `upcaster` turns the current version into the new
    /// one, whose data the same Swift type decodes (a field added and filled in).
    public func nextVersion(_ upcaster: @escaping Upcaster, examples added: [Int: String] = [:]) -> MessageType {
        MessageType(copying: self, examples: examples.merging(added) { $1 }, version: version + 1,
                    upcasters: upcasters.merging([version: upcaster]) { $1 })
    }

    /// The same type with the rule its label is computed by.
    public func labelled(_ rule: String) -> MessageType {
        var type = self
        type.labelRule = rule
        return type
    }
}
