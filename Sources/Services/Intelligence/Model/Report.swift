import BusCore
import Contracts
import Geography
import GRDB
import ServiceKit

/// An intelligence report (incident, threat, situation) with its label and reliability grading:
/// filed, or retracted.
public struct Report: StatefulRecord, Equatable {
    public static let databaseTableName = "report"
    public static let keyField = "report"

    public enum Status: String, Codable, Sendable, CaseIterable { case filed, retracted }
    public enum Kind: String, Codable, Sendable, CaseIterable { case incident, threat, situation }

    public var report: String
    public var kind: Kind
    public var title: String
    public var content: String
    public var location: String
    /// Where it was observed, and the area it concerns (taken from the mission's areas when
    /// only `location` is named).
    public var point: Position?
    public var polygon: Geometry?
    /// When it happened, RFC 3339.
    public var observedAt: String
    /// Admiralty grading: source reliability A–F, information credibility 1–6, e.g. `B2`.
    public var reliability: String
    public var securityLabel: SecurityLabel
    public var tearline: Tearline?
    public var status: Status

    public var key: String { report }
    public var label: Label { securityLabel.label }
    public static let labelRule = "the report's own label, as filed"

    public static let lifecycle = Lifecycle<Status>("report", [
        .init("retract", from: [.filed], to: .retracted, event: "retracted"),
    ])
}
