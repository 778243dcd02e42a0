import BusCore
import ServiceKit

/// A STANAG 4774-style confidentiality label bound to content: policy, classification and the
/// partners it may be released to.
public struct SecurityLabel: Codable, Sendable, Equatable {
    public var policy: String
    public var classification: Classification
    public var releasableTo: [String]

    public init(policy: String = "UN-MISSION", classification: Classification, releasableTo: [String]) {
        self.policy = policy
        self.classification = classification
        self.releasableTo = releasableTo
    }

    /// The label this stands for, as releasability checks read it.
    public var label: Label { Label(classification, releasableTo: releasableTo) }
}

/// A summary that may go further than the content above it: at a classification no higher
/// than the content's, to the partners it names.
public struct Tearline: Codable, Sendable, Equatable {
    public var summary: String
    public var label: SecurityLabel
    /// One of the mission's named areas, released with the summary so that partners who see
    /// only the tearline can place it on a map (the area's outline, never the content's own
    /// point or polygon). Optional; the J2 chooses how coarse it is.
    public var area: String?

    public init(summary: String, label: SecurityLabel, area: String? = nil) {
        self.summary = summary
        self.label = label
        self.area = area
    }
}
