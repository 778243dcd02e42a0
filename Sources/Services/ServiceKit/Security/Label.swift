import BusCore

/// A security label: a classification and the partners an event may be released to.
public struct Label: Sendable, Equatable {
    public var classification: Classification
    public var releasableTo: [String]

    public init(_ classification: Classification, releasableTo: [String]) {
        self.classification = classification
        self.releasableTo = releasableTo
    }

    /// For the mission's own parts: releasable to no partner.
    public static let internalOnly = Label(.restricted, releasableTo: [])

    /// The label of something computed from what this labels and what `other` labels: the
    /// higher classification, and only the partners both may go to.
    public func joined(with other: Label) -> Label {
        Label(Swift.max(classification, other.classification), releasableTo: releasableTo.filter(other.releasableTo.contains))
    }

    /// The join of all of them; nil for none.
    public static func join(_ labels: [Label]) -> Label? {
        guard let first = labels.first else { return nil }
        return labels.dropFirst().reduce(first) { $0.joined(with: $1) }
    }
}

extension Label {
    /// The label an event carried; an unlabelled event or an unknown level counts as the most
    /// restrictive label there is (fail closed).
    public init(of envelope: Envelope) {
        self.init(storedClassification: envelope.classification, releasableTo: envelope.releasableTo)
    }

    /// A label as a table stores it: its level's name and the partners.
    public init(storedClassification classification: String?, releasableTo: [String]) {
        if let level = classification.flatMap(Classification.init(rawValue:)) {
            self.init(level, releasableTo: releasableTo)
        } else {
            self = .unknown
        }
    }

    /// What content whose origin is not known carries: secret, releasable to no partner.
    public static let unknown = Label(.secret, releasableTo: [])
}
