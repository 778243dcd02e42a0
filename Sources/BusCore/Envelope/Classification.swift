/// Label levels of the mission's policy, lowest first. A clearance dominates a label of equal or
/// lower level.
public enum Classification: String, Sendable, Codable, CaseIterable, Comparable {
    case unclassified = "UNCLASSIFIED"
    case restricted = "RESTRICTED"
    case confidential = "CONFIDENTIAL"
    case secret = "SECRET"

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
