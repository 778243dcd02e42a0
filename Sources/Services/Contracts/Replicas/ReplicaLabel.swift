import BusCore
import GRDB
import ServiceKit

/// A replica row that keeps the label of the event it came from.
public protocol LabelledRow {
    /// The event's classification, as it was stored.
    var classification: String { get }
    /// The event's releasable-to partners.
    var releasableTo: [String] { get }
}

extension LabelledRow {
    /// The label of the event this row came from.
    public var label: Label { Label(storedClassification: classification, releasableTo: releasableTo) }
}

extension TableDefinition {
    /// The two columns a `LabelledRow` stores its label in.
    func labelColumns() {
        column("classification", .text).notNull()
        column("releasableTo", .jsonText).notNull()
    }
}
