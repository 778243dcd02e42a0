import GRDB
import ServiceKit

/// A troop rotation: a unit leaves the mission area and its relief arrives.
public struct Rotation: StatefulRecord, Equatable {
    public static let databaseTableName = "rotation"
    public static let keyField = "rotation"

    public enum Status: String, Codable, Sendable, CaseIterable { case scheduled, completed, cancelled }

    public var rotation: String
    /// The unit rotating out.
    public var unit: String
    public var partner: String
    /// `YYYY-MM-DD` the unit leaves.
    public var outDate: String
    /// `YYYY-MM-DD` its relief arrives.
    public var inDate: String
    public var status: Status

    public var key: String { rotation }
    public var label: Label { Label(.unclassified, releasableTo: [partner]) }
    public static let labelRule = "unclassified, releasable to the unit's partner"

    public static let lifecycle = Lifecycle<Status>("rotation", [
        .init("complete", from: [.scheduled], to: .completed, event: "completed"),
        .init("cancel", from: [.scheduled], to: .cancelled, event: "cancelled"),
    ])

    public init(rotation: String, unit: String, partner: String, outDate: String, inDate: String, status: Status) {
        self.rotation = rotation
        self.unit = unit
        self.partner = partner
        self.outDate = outDate
        self.inDate = inDate
        self.status = status
    }
}
