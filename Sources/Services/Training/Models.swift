import Contracts
import Geography
import GRDB
import ServiceKit

/// A course or joint exercise: planned, then completed or cancelled; rescheduling moves its dates.
public struct Exercise: StatefulRecord, Equatable {
    public static let databaseTableName = "exercise"
    public static let keyField = "exercise"

    public enum Status: String, Codable, Sendable, CaseIterable { case planned, completed, cancelled }
    public enum Kind: String, Codable, Sendable, CaseIterable { case course, exercise }

    public var exercise: String
    public var name: String
    public var kind: Kind
    /// `YYYY-MM-DD`, inclusive.
    public var startDate: String
    public var endDate: String
    /// The area it takes place in, as alerts and routes name areas.
    public var location: String
    /// Where it takes place (version 2): given, or the named area's point.
    public var point: Position?
    public var organiser: String
    public var capacity: Int
    public var requiredUnitTypes: [String]
    public var status: Status

    public var key: String { exercise }
    public var label: Label { Label(.unclassified, releasableTo: [organiser]) }
    public static let labelRule = "unclassified, releasable to the organiser"

    public static let lifecycle = Lifecycle<Status>("exercise", [
        .init("complete", from: [.planned], to: .completed, event: "completed"),
        .init("cancel", from: [.planned], to: .cancelled, event: "cancelled"),
    ])
}

/// A unit's enrolment: applied → approved or rejected → invited → accepted or declined.
public struct Enrolment: StatefulRecord, Equatable {
    public static let databaseTableName = "enrolment"
    public static let keyField = "enrolment"

    public enum Status: String, Codable, Sendable, CaseIterable { case applied, approved, rejected, invited, accepted, declined }

    public var enrolment: String
    public var exercise: String
    public var unit: String
    public var partner: String
    public var status: Status

    public var key: String { enrolment }
    public var label: Label { Label(.unclassified, releasableTo: [partner]) }
    public static let labelRule = "unclassified, releasable to the applying partner"

    /// Enrolments that hold a place.
    static let holding: Set<Status> = [.approved, .invited, .accepted]
    /// Enrolments still in play, for conflict detection.
    static let active: Set<Status> = [.applied, .approved, .invited, .accepted]

    public static let lifecycle = Lifecycle<Status>("enrolment", [
        .init("approve", from: [.applied], to: .approved, event: "approved"),
        .init("reject", from: [.applied], to: .rejected, event: "rejected"),
        .init("invite", from: [.approved], to: .invited, event: "invited"),
        .init("accept", from: [.invited], to: .accepted, event: "accepted"),
        .init("decline", from: [.invited], to: .declined, event: "declined"),
    ])
}

/// A planning conflict the service found: open until what caused it goes away or it is resolved.
public struct Conflict: StatefulRecord, Equatable {
    public static let databaseTableName = "conflict"
    public static let keyField = "conflict"

    public enum Status: String, Codable, Sendable, CaseIterable { case open, resolved }
    public enum Kind: String, Codable, Sendable, CaseIterable { case overlap, alert, rotation }

    public var conflict: String
    public var kind: Kind
    public var exercise: String
    public var unit: String?
    public var detail: String
    /// Who is told: the organiser and the unit's partner.
    public var partners: [String]
    public var status: Status
    /// The label of what the conflict was computed from, joined (docs/security.md): an alert
    /// or a rotation another partner may not see keeps the conflict from those partners.
    public var securityLabel: SecurityLabel

    public var key: String { conflict }
    public var label: Label { securityLabel.label }
    public static let labelRule = "its partners' (unclassified) joined with what it was computed from (an alert or its tearline, a rotation, enrolments), kept with the conflict"

    public static let lifecycle = Lifecycle<Status>("conflict", [
        .init("resolve", from: [.open], to: .resolved, event: "resolved"),
    ])
}
