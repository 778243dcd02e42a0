import Geography

/// Alerts on the map: their area (or point), with what the alert says; as CAP 1.2 too.
extension Alert: CAPExportable {
    public static let layer = "alerts"

    public var feature: Feature? {
        guard let geometry = polygon ?? point.map(Geometry.point) else { return nil }
        return Feature(id: alert, name: summary, geometry: geometry, properties: [
            .init("area", area), .init("severity", severity.rawValue), .init("status", status.rawValue), .init("expires", expires),
            .init("classification", label.classification.rawValue),
        ])
    }

    public var capMessage: String? { CAPWriter.message(self) }
}

/// Convoys at their last reported position.
extension Convoy: Exportable {
    public static let layer = "convoys"

    public var feature: Feature? {
        guard let position else { return nil }
        return Feature(id: convoy, name: convoy, geometry: .point(position), properties: [
            .init("route", route), .init("status", status.rawValue), .init("partners", partners.joined(separator: " ")),
            .init("escort", escort ?? ""),
        ])
    }
}
