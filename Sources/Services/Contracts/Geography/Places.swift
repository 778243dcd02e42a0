import Geography
import ServiceKit

/// How commands' places become geography: what a command gives (a point, an outline) wins, and
/// a name the mission knows fills in the rest. A name it does not know, given alone, stays a
/// name: such a place is matched by name only and drawn nowhere.
public enum Places {
    /// The point and outline of a place called `name`.
    public static func resolve(_ name: String, point: Position?, area: Geometry?) throws -> (point: Position?, area: Geometry?) {
        if let area, !area.isArea {
            throw CommandError(.invalidCommand, "the area of '\(name)' is a \(area.typeName); give a Polygon or MultiPolygon")
        }
        let known = MissionAreas.named(name)?.geometry
        let outline = area ?? known
        return (point ?? outline?.representativePoint, outline)
    }

    /// A line as a command gives it (a route's path, a movement's), refused unless a LineString.
    public static func line(_ geometry: Geometry?, of what: String) throws -> Geometry? {
        guard let geometry else { return nil }
        guard case .lineString = geometry else {
            throw CommandError(.invalidCommand, "\(what) is a LineString, not a \(geometry.typeName)")
        }
        return geometry
    }

    /// The point of a place called `name`: the given one, else the named area's.
    public static func point(_ name: String, given point: Position?) -> Position? {
        point ?? MissionAreas.named(name)?.point
    }

    /// Whether an alert's area covers a place: by their geography when both have it, else by
    /// name (older, name-only messages and names the mission does not know).
    public static func covers(area name: String, _ polygon: Geometry?, place placeName: String, _ geometry: Geometry?) -> Bool {
        if let polygon, let geometry { return polygon.intersects(geometry) }
        return name == placeName
    }
}
