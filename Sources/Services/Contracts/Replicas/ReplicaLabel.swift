import BusCore
import GRDB
import ServiceKit

extension Label {
    /// The label an event carried; an unlabelled event or an unknown level counts as the most
    /// restrictive label there is (fail closed).
    public init(of envelope: Envelope) {
        self.init(storedClassification: envelope.classification, releasableTo: envelope.releasableTo)
    }

    /// A label as a replica stores it.
    init(storedClassification classification: String?, releasableTo: [String]) {
        if let level = classification.flatMap(Classification.init(rawValue:)) {
            self.init(level, releasableTo: releasableTo)
        } else {
            self = .unknown
        }
    }

    /// What a replica row whose origin is not known carries: secret, releasable to no partner.
    public static let unknown = Label(.secret, releasableTo: [])
}

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
