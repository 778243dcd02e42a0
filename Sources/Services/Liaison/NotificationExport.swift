import Contracts
import Geography

/// Humanitarian sites and movements on the map, and as an HXL table.
extension HumanitarianNotification: Exportable {
    public static let layer = "sites"

    public var feature: Feature? {
        guard let geometry else { return nil }
        return Feature(id: notification, name: "\(partner) \(kind.rawValue) at \(location)", geometry: geometry, properties: [
            .init("partner", partner), .init("kind", kind.rawValue), .init("location", location), .init("from", from),
            .init("until", until), .init("status", status.rawValue),
        ])
    }

    public static let hxlColumns: [HXLTable.Column]? = [
        .init("Notification", "#meta+id"), .init("Organisation", "#org"), .init("Kind", "#meta+kind"), .init("Location", "#loc"),
        .latitude, .longitude, .init("From", "#date+start"), .init("Until", "#date+end"), .init("Status", "#status"),
    ]

    public var hxlRows: [[String]] {
        [[notification, partner, kind.rawValue, location] + Position.cells(point) + [from, until, status.rawValue]]
    }
}
