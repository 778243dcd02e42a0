import Contracts
import Geography
import GRDB

/// A named route through areas, with its line on the map; at risk while an intelligence alert's
/// area meets its line (or, for a route defined without one, while an alert names one of its
/// areas).
public struct Route: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "route"

    public var route: String
    public var name: String
    public var areas: [String]
    /// The road itself, a LineString; optional so that routes defined by areas alone still work.
    public var path: Geometry?
    public var atRisk: Bool

    /// Whether an active alert covers this route.
    public func isCovered(by alert: AlertAreaReplica.Row) -> Bool {
        if let path, let polygon = alert.polygon { return path.intersects(polygon) }
        return areas.contains(alert.area)
    }
}
