import Geography

/// One of the mission's named areas: a state, a county or a town, as reports, alerts, routes
/// and exercises name them.
public struct MissionArea: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case state, town }

    /// The name messages use, e.g. `Jonglei`.
    public var area: String
    public var kind: Kind
    /// Its outline: a Polygon or MultiPolygon.
    public var geometry: Geometry
    /// Where a name-only message about it is put on the map.
    public var point: Position { geometry.representativePoint }

    public init(area: String, kind: Kind, geometry: Geometry) {
        precondition(geometry.isArea, "\(area): a mission area is a polygon")
        self.area = area
        self.kind = kind
        self.geometry = geometry
    }
}
