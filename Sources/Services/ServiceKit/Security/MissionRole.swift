/// The roles of the mission's own staff that policies grant commands and queries to. Who holds
/// which role is the registry's to say (`registry.staff.appointed`); every service keeps a
/// copy (`StaffRoles`).
public enum MissionRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Partners, credentials, permissions, staff and units: the registry's administrators.
    case registryAdministration = "registry-administration"
    /// Supply requests, pledges, shipments, routes, convoys, rotations.
    case logisticsCell = "logistics-cell"
    /// Intelligence: reports, alerts, release decisions.
    case intelligence = "j2"
    /// Training: exercises, courses, enrolments, certification.
    case training = "j7"
    /// Civil-military coordination: requests for assistance, notifications, deconfliction.
    case civilMilitary = "civil-military-cell"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// How the role reads in refusals and in docs/authorization.md.
    public var title: String {
        switch self {
        case .registryAdministration: "registry administration"
        case .logisticsCell: "logistics cell"
        case .intelligence: "intelligence (J2)"
        case .training: "training (J7)"
        case .civilMilitary: "civil-military cell"
        }
    }
}
