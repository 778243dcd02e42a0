/// A GeoJSON geometry (RFC 7946) of the kinds Concord's messages carry: positions of units,
/// sites and exercises, routes as lines, areas as polygons.
public enum Geometry: Hashable, Sendable {
    case point(Position)
    case lineString([Position])
    /// Rings: the outer boundary first, then holes; each ring closed (first == last).
    case polygon([[Position]])
    case multiPolygon([[[Position]]])

    /// The GeoJSON `type`.
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .polygon: "Polygon"
        case .multiPolygon: "MultiPolygon"
        }
    }

    /// Whether it covers an area (Polygon or MultiPolygon).
    public var isArea: Bool {
        switch self {
        case .polygon, .multiPolygon: true
        case .point, .lineString: false
        }
    }

    /// Every position, rings' closing ones included.
    public var positions: [Position] {
        switch self {
        case .point(let position): [position]
        case .lineString(let line): line
        case .polygon(let rings): rings.flatMap { $0 }
        case .multiPolygon(let polygons): polygons.flatMap { $0.flatMap { $0 } }
        }
    }

    /// A position that stands for it on a map and in name-only upcasts: a point itself, the
    /// middle vertex of a line, and for an area the mean of its outer ring's vertices when that
    /// lies inside it (else its first vertex, which is on its boundary).
    public var representativePoint: Position {
        switch self {
        case .point(let position): return position
        case .lineString(let line): return line[line.count / 2]
        case .polygon(let rings): return Self.representative(rings)
        case .multiPolygon(let polygons): return Self.representative(polygons[0])
        }
    }

    private static func representative(_ rings: [[Position]]) -> Position {
        let outer = rings[0].dropLast()
        let mean = Position(lon: outer.map(\.lon).reduce(0, +) / Double(outer.count),
                            lat: outer.map(\.lat).reduce(0, +) / Double(outer.count)).rounded
        return GeometryPredicates.contains(rings, mean) ? mean : rings[0][0]
    }
}
