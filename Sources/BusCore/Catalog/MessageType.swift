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

    public init(_ name: String, version: Int = 1, summary: String,
                upcasters: [Int: Upcaster] = [:], examples: [Int: String] = [:]) {
        precondition((1..<version).allSatisfy { upcasters[$0] != nil }, "\(name): an upcaster is missing")
        self.name = name
        self.version = version
        self.summary = summary
        self.upcasters = upcasters
        self.examples = examples
    }
}
