import Contracts
import Geography

/// Exercises on the map at their point.
extension Exercise: Exportable {
    public static let layer = "exercises"

    public var feature: Feature? {
        guard let point else { return nil }
        return Feature(id: exercise, name: name, geometry: .point(point), properties: [
            .init("kind", kind.rawValue), .init("location", location), .init("startDate", startDate), .init("endDate", endDate),
            .init("organiser", organiser), .init("status", status.rawValue),
        ])
    }
}
