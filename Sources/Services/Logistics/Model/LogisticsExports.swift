import Contracts
import Geography

/// Requests and pledges as HXL tables (one row per item), requests on the map at their destination.
extension SupplyRequest: Exportable {
    public static let layer = "requests"

    public var feature: Feature? {
        guard let point = Places.point(destination, given: nil) else { return nil }
        return Feature(id: request, name: "\(request) for \(requester)", geometry: .point(point), properties: [
            .init("requester", requester), .init("destination", destination), .init("priority", priority.rawValue),
            .init("status", status.rawValue), .init("neededBy", neededBy),
        ])
    }

    public static let hxlColumns: [HXLTable.Column]? = [
        .init("Request", "#meta+id"), .init("Requester", "#org"), .init("Item", "#item+name"), .init("Quantity", "#item+num"),
        .init("Unit", "#item+unit"), .init("Destination", "#loc"), .latitude, .longitude, .init("Priority", "#severity"),
        .init("Needed by", "#date+needed"), .init("Status", "#status"),
    ]

    public var hxlRows: [[String]] {
        items.map { item in
            [request, requester, item.item, "\(item.quantity)", item.unit, destination]
                + Position.cells(Places.point(destination, given: nil)) + [priority.rawValue, neededBy, status.rawValue]
        }
    }
}

extension Pledge: Exportable {
    public static let layer = "pledges"
    public var feature: Feature? { nil }
    /// A pledge has no place of its own: a table only.
    public static var formats: [ExportFormat] { [.hxl] }

    public static let hxlColumns: [HXLTable.Column]? = [
        .init("Pledge", "#meta+id"), .init("Pledging partner", "#org+provider"), .init("Request", "#meta+request"),
        .init("Requester", "#org+requester"), .init("Item", "#item+name"), .init("Quantity", "#item+num"), .init("Unit", "#item+unit"),
        .init("Status", "#status"),
    ]

    public var hxlRows: [[String]] {
        items.map { [pledge, partner, request, requester, $0.item, "\($0.quantity)", $0.unit, status.rawValue] }
    }
}

/// Routes on the map along their path, with whether they are at risk (for a partner, as its
/// alerts say).
extension Route: Exportable {
    public static let layer = "routes"
    public var key: String { route }

    public var feature: Feature? {
        guard let path else { return nil }
        return Feature(id: route, name: name, geometry: path, properties: [
            .init("areas", areas.joined(separator: ", ")), .init("atRisk", "\(atRisk)"),
        ])
    }
}
