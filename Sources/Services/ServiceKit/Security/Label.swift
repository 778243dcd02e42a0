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

/// Label rules in words, shared by the types that follow them (docs/authorization.md).
extension Label {
    /// Every list answer.
    public static let listRule = "the highest classification of what it lists, releasable to the asker only (a partner is listed only what it may see)"
    /// Every refusal.
    public static let refusalRule = "unclassified, releasable to the sender only when it is a partner (it quotes only what the sender sent or may see)"
    /// Added to an event that a reaction can emit: the join with what it was computed from.
    public static let derivedRule = "; joined with what it was computed from when a reaction emits it"
}
