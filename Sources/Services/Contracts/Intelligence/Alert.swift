import BusCore
import Geography
import GRDB
import ServiceKit

/// An alert on an area, raised from reports, until lifted or expired.
public struct Alert: StatefulRecord, Equatable {
    public static let databaseTableName = "alert"
    public static let keyField = "alert"

    public enum Status: String, Codable, Sendable, CaseIterable { case active, lifted, expired }
    public enum Severity: String, Codable, Sendable, CaseIterable { case low, medium, high, critical }

    public var alert: String
    public var report: String?
    /// The area it covers, by name: one of the mission's areas, or a description.
    public var area: String
    /// Where it is, for the map (version 2).
    public var point: Position?
    /// The area it covers (Polygon or MultiPolygon, version 2): what routes, exercises and
    /// humanitarian sites are checked against. Nil only for a name the mission does not know
    /// given without an outline; such an alert covers places by that name alone.
    public var polygon: Geometry?
    public var severity: Severity
    public var summary: String
    /// RFC 3339.
    public var expires: String
    public var securityLabel: SecurityLabel
    public var tearline: Tearline?
    public var status: Status
    /// When it was raised, and lifted or expired (RFC 3339): the times of its CAP messages.
    public var raisedAt: String?
    public var endedAt: String?
    /// Exercise traffic (a scenario), not a real threat: CAP's status `Exercise`.
    public var exercise: Bool?

    public var key: String { alert }
    public var label: Label { securityLabel.label }
    public static let labelRule = "the alert's own label, as raised"

    public static let lifecycle = Lifecycle<Status>("alert", [
        .init("lift", from: [.active], to: .lifted, event: "lifted"),
        .init("expire", from: [.active], to: .expired, event: "expired"),
    ])

    public init(alert: String, report: String?, area: String, point: Position? = nil, polygon: Geometry? = nil, severity: Severity,
                summary: String, expires: String, securityLabel: SecurityLabel, tearline: Tearline?, status: Status, raisedAt: String? = nil, exercise: Bool? = nil) {
        self.raisedAt = raisedAt
        self.exercise = exercise
        self.alert = alert
        self.report = report
        self.area = area
        self.point = point
        self.polygon = polygon
        self.severity = severity
        self.summary = summary
        self.expires = expires
        self.securityLabel = securityLabel
        self.tearline = tearline
        self.status = status
    }
}
