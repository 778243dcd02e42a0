import Geography
import BusCore
import ServiceKit

/// A record shown on a map layer and, for humanitarian partners, in an HXL table.
public protocol Exportable: Sendable {
    /// Its key, for file names.
    var key: String { get }
    /// The layer's name, in file names and on the map, e.g. `alerts`.
    static var layer: String { get }
    /// Where it is and what the layer says of it; nil for a record without a place.
    var feature: Feature? { get }
    /// The HXL table's columns; nil when the layer is not offered as HXL.
    static var hxlColumns: [HXLTable.Column]? { get }
    /// Its rows of that table (a request has one per item).
    var hxlRows: [[String]] { get }
    /// Its CAP message; nil when the layer is not offered as CAP.
    var capMessage: String? { get }
    /// The formats the layer is offered in.
    static var formats: [ExportFormat] { get }
    /// What of this record `audience` may have on its layer: the record when its label releases
    /// it, nil otherwise; a record with a tearline may give the tearline instead (alerts).
    func disclosed(to audience: Audience, label: Label) -> Self?
}

extension Exportable {
    public func disclosed(to audience: Audience, label: Label) -> Self? { audience.maySee(label) ? self : nil }

    public static var hxlColumns: [HXLTable.Column]? { nil }
    public var hxlRows: [[String]] { [] }
    public var capMessage: String? { nil }

    /// Map formats, HXL when it has a table, CAP for alerts.
    public static var formats: [ExportFormat] {
        [.geojson, .kml] + (hxlColumns == nil ? [] : [.hxl]) + (Self.self is any CAPExportable.Type ? [.cap] : [])
    }
}

/// A layer offered as CAP too (alerts).
public protocol CAPExportable: Exportable {}

extension HXLTable.Column {
    /// The position columns HXL tools map: `#geo+lat`, `#geo+lon`.
    public static let latitude = HXLTable.Column("Latitude", "#geo+lat")
    public static let longitude = HXLTable.Column("Longitude", "#geo+lon")
}

extension Position {
    /// Latitude and longitude cells, empty without a position.
    public static func cells(_ position: Position?) -> [String] {
        position.map { ["\($0.lat)", "\($0.lon)"] } ?? ["", ""]
    }
}
