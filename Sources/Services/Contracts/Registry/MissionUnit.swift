import GRDB

/// A unit a partner puts at the mission's disposal.
public struct MissionUnit: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "unit"

    public enum UnitType: String, Codable, Sendable, CaseIterable {
        case infantry, engineers, medical, logistics, aviation, signals, police, reconnaissance
    }

    public enum Readiness: String, Codable, Sendable, CaseIterable {
        /// Older records did not say.
        case unknown
        case ready, limited, unready
    }

    public enum Availability: String, Codable, Sendable, CaseIterable {
        case available, tasked, rotating, unavailable
    }

    /// Where a unit is.
    public struct Location: Codable, Sendable, Equatable {
        public var name: String
        public var lat: Double?
        public var lon: Double?

        public init(name: String, lat: Double? = nil, lon: Double? = nil) {
            self.name = name
            self.lat = lat
            self.lon = lon
        }
    }

    /// Unit code, e.g. `NLD-ENG-1`.
    public var unit: String
    /// Owning partner's code.
    public var partner: String
    public var type: UnitType
    /// Personnel strength.
    public var strength: Int
    public var readiness: Readiness
    public var availability: Availability
    public var location: Location

    enum CodingKeys: String, CodingKey {
        case unit, partner, type, strength, readiness, availability, location
    }

    public init(unit: String, partner: String, type: UnitType, strength: Int, readiness: Readiness, availability: Availability, location: Location) {
        self.unit = unit
        self.partner = partner
        self.type = type
        self.strength = strength
        self.readiness = readiness
        self.availability = availability
        self.location = location
    }
}
