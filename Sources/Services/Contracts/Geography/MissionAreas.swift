import BusCore
import Geography

/// The mission's named areas, defined once for every part: the registry answers for them
/// (`query.registry.area.list`), and every service's upcasters put name-only messages of
/// older versions on the map through them. Outlines are simplified (tens of vertices, a few
/// kilometres of error at state borders), enough to say which area a place is in; towns are
/// drawn as their built-up area.
public enum MissionAreas {
    public static let all: [MissionArea] = [
        state("Central Equatoria", [(30.05, 3.55), (31.15, 3.70), (32.05, 3.62), (32.45, 4.35), (32.30, 5.05), (32.00, 5.45),
                                   (31.25, 5.45), (30.85, 6.10), (30.30, 5.70), (29.85, 4.90), (30.05, 3.55)]),
        state("Jonglei", [(31.25, 5.45), (32.00, 5.45), (32.75, 5.55), (33.35, 6.05), (33.95, 6.85), (33.95, 7.95), (33.20, 8.60),
                         (32.00, 9.40), (31.30, 9.30), (30.85, 8.20), (31.10, 7.05), (30.85, 6.10), (31.25, 5.45)]),
        state("Unity", [(28.70, 8.40), (29.45, 8.05), (30.05, 8.25), (30.60, 8.90), (30.45, 9.95), (29.55, 10.25), (28.65, 9.60),
                       (28.70, 8.40)]),
        state("Upper Nile", [(31.30, 9.30), (32.00, 9.40), (33.20, 8.60), (34.10, 8.60), (34.25, 10.00), (33.10, 12.20),
                            (32.20, 12.20), (31.80, 10.90), (31.30, 9.30)]),
        town("Juba", lon: 31.582, lat: 4.851, halfSize: 0.05),
        town("Bor", lon: 31.559, lat: 6.207, halfSize: 0.03),
        town("Bentiu", lon: 29.785, lat: 9.233, halfSize: 0.03),
        town("Malakal", lon: 31.655, lat: 9.534, halfSize: 0.03),
    ]

    /// The area named `name`, if the mission has one.
    public static func named(_ name: String) -> MissionArea? { byName[name] }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.area, $0) })

    /// A name-only place as an upcaster writes it: the area's representative point and outline,
    /// or nothing for a name the mission does not know (such messages keep matching by name).
    public static func geography(of name: JSONValue?) -> (point: JSONValue, area: JSONValue)? {
        guard let name = name?.stringValue, let area = named(name) else { return nil }
        return (JSONValue(area.point), JSONValue(area.geometry))
    }

    /// An upcaster adding `point` from the place named in `field`, for records that gained a
    /// position; a name the mission does not know is left without one.
    public static func placing(from field: String) -> Upcaster {
        { data in
            guard data["point"] == nil, let place = geography(of: data[field]) else { return }
            data["point"] = place.point
        }
    }

    private static func state(_ name: String, _ ring: [(Double, Double)]) -> MissionArea {
        MissionArea(area: name, kind: .state, geometry: .polygon([ring.map { Position(lon: $0.0, lat: $0.1) }]))
    }

    private static func town(_ name: String, lon: Double, lat: Double, halfSize: Double) -> MissionArea {
        let (w, e, s, n) = (lon - halfSize, lon + halfSize, lat - halfSize, lat + halfSize)
        let ring = [(w, s), (e, s), (e, n), (w, n), (w, s)].map { Position(lon: $0.0, lat: $0.1).rounded }
        return MissionArea(area: name, kind: .town, geometry: .polygon([ring]))
    }
}
