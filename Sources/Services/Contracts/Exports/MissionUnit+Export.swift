import Geography

/// Units on the map at their position (or their named place's), and as an HXL table.
extension MissionUnit: Exportable {
    public static let layer = "units"
    public var key: String { unit }

    /// Where it is: its coordinates, else the named area's point.
    public var position: Position? {
        if let lat = location.lat, let lon = location.lon { return Position(lon: lon, lat: lat) }
        return Places.point(location.name, given: nil)
    }

    public var feature: Feature? {
        guard let position else { return nil }
        return Feature(id: unit, name: unit, geometry: .point(position), properties: [
            .init("partner", partner), .init("type", type.rawValue), .init("strength", "\(strength)"),
            .init("readiness", readiness.rawValue), .init("availability", availability.rawValue), .init("location", location.name),
        ])
    }

    public static let hxlColumns: [HXLTable.Column]? = [
        .init("Unit", "#meta+id"), .init("Partner", "#org"), .init("Type", "#sector"), .init("Strength", "#capacity+num"),
        .init("Readiness", "#status+readiness"), .init("Availability", "#status+availability"), .init("Location", "#loc"),
        .latitude, .longitude,
    ]

    public var hxlRows: [[String]] {
        [[unit, partner, type.rawValue, "\(strength)", readiness.rawValue, availability.rawValue, location.name] + Position.cells(position)]
    }
}
