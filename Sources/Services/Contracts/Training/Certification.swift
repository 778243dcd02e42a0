import GRDB

/// A unit certified by a course or exercise, until it expires.
public struct Certification: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "certification"

    public var unit: String
    public var partner: String
    public var exercise: String
    public var expires: String

    public init(unit: String, partner: String, exercise: String, expires: String) {
        self.unit = unit
        self.partner = partner
        self.exercise = exercise
        self.expires = expires
    }
}
