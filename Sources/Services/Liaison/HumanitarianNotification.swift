import Contracts
import Geography
import GRDB
import ServiceKit

/// A humanitarian notification of a static site or a movement (OCHA's HNS): notified →
/// acknowledged → expired. It is notification, not a request for permission.
public struct HumanitarianNotification: StatefulRecord, Equatable {
    public static let databaseTableName = "notification"
    public static let keyField = "notification"

    public enum Status: String, Codable, Sendable, CaseIterable { case notified, acknowledged, expired }
    public enum Kind: String, Codable, Sendable, CaseIterable { case site, movement }

    public var notification: String
    public var partner: String
    public var kind: Kind
    public var location: String
    /// The site, or where a movement is going (version 2): given, or the named area's point.
    public var point: Position?
    public var route: String?
    /// A movement's line, when the partner gives it (a LineString).
    public var path: Geometry?
    public var from: String
    public var until: String
    public var status: Status

    public var key: String { notification }
    public var label: Label { Label(.restricted, releasableTo: [partner]) }
    public static let labelRule = "restricted, releasable to the notifying partner"

    /// What an alert's area is checked against: the movement's line, else the point.
    public var geometry: Geometry? { path ?? point.map(Geometry.point) }

    public static let lifecycle = Lifecycle<Status>("notification", [
        .init("acknowledge", from: [.notified], to: .acknowledged, event: "acknowledged"),
        .init("expire", from: [.notified, .acknowledged], to: .expired, event: "expired"),
    ])
}

/// A deconfliction notice where military activity and humanitarian movements meet: issued, lifted.
public struct DeconflictionNotice: StatefulRecord, Equatable {
    public static let databaseTableName = "deconfliction_notice"
    public static let keyField = "notice"

    public enum Status: String, Codable, Sendable, CaseIterable { case issued, lifted }

    public var notice: String
    public var area: String
    public var reason: String
    /// The intelligence alert behind it, if any: its key, or a pseudonym when the notice's
    /// partners may see only the alert's tearline (`AlertDisclosure`).
    public var alert: String?
    /// Humanitarian partners with sites or movements in the area.
    public var partners: [String]
    public var status: Status
    /// The partners' label joined with what the notice was computed from (the alert, or its tearline).
    public var securityLabel: SecurityLabel

    public var key: String { notice }
    public var label: Label { securityLabel.label }
    public static let labelRule = "its partners' (unclassified) joined with the alert or tearline it quotes, kept with the notice"

    public static let lifecycle = Lifecycle<Status>("notice", [
        .init("lift", from: [.issued], to: .lifted, event: "lifted"),
    ])
}
