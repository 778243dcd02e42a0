/// Planar predicates on longitude and latitude. Whether a line crosses an area or a point lies
/// in it does not depend on the projection for areas the size of a state away from the poles
/// and the antimeridian, which is where peace operations work; distances are measured on the
/// sphere (`Position.distance`). Boundaries count as inside: a route touching an alert area's
/// edge is at risk.
enum GeometryPredicates {
    /// Whether `position` lies inside `rings` (outer ring, then holes; even-odd rule) or on
    /// one of them.
    static func contains(_ rings: [[Position]], _ position: Position) -> Bool {
        var inside = false
        for ring in rings {
            for index in 0..<(ring.count - 1) {
                let (a, b) = (ring[index], ring[index + 1])
                if orientation(a, b, position) == 0, within(a, b, position) { return true }
                if (a.lat > position.lat) != (b.lat > position.lat) {
                    let crossing = a.lon + (position.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
                    if position.lon < crossing { inside.toggle() }
                }
            }
        }
        return inside
    }

    /// Whether segments `a1`–`a2` and `b1`–`b2` share a point (touching counts).
    static func segmentsIntersect(_ a1: Position, _ a2: Position, _ b1: Position, _ b2: Position) -> Bool {
        let d1 = orientation(b1, b2, a1), d2 = orientation(b1, b2, a2)
        let d3 = orientation(a1, a2, b1), d4 = orientation(a1, a2, b2)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
        return (d1 == 0 && within(b1, b2, a1)) || (d2 == 0 && within(b1, b2, a2))
            || (d3 == 0 && within(a1, a2, b1)) || (d4 == 0 && within(a1, a2, b2))
    }

    /// Twice the signed area of triangle a, b, c: positive when c is left of a → b.
    private static func orientation(_ a: Position, _ b: Position, _ c: Position) -> Double {
        (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon)
    }

    /// Whether `p`, collinear with a and b, lies between them.
    private static func within(_ a: Position, _ b: Position, _ p: Position) -> Bool {
        min(a.lon, b.lon) <= p.lon && p.lon <= max(a.lon, b.lon) && min(a.lat, b.lat) <= p.lat && p.lat <= max(a.lat, b.lat)
    }
}

extension Geometry {
    /// Whether the two share any point: a point in an area or on a line, a line crossing or
    /// entering an area, areas overlapping or touching.
    public func intersects(_ other: Geometry) -> Bool {
        guard boundingBox.overlaps(other.boundingBox) else { return false }
        for (a1, a2) in segments {
            for (b1, b2) in other.segments where GeometryPredicates.segmentsIntersect(a1, a2, b1, b2) { return true }
        }
        // No edges meet: one lies wholly inside the other, or they are apart.
        if let first = other.positions.first, areas.contains(where: { GeometryPredicates.contains($0, first) }) { return true }
        if let first = positions.first, other.areas.contains(where: { GeometryPredicates.contains($0, first) }) { return true }
        return false
    }

    /// Whether `position` is in this area, on this line, or is this point.
    public func contains(_ position: Position) -> Bool {
        intersects(.point(position))
    }

    /// The polygons it covers, each as its rings.
    var areas: [[[Position]]] {
        switch self {
        case .polygon(let rings): [rings]
        case .multiPolygon(let polygons): polygons
        case .point, .lineString: []
        }
    }

    /// Its edges; a point is one edge of no length.
    var segments: [(Position, Position)] {
        switch self {
        case .point(let position): [(position, position)]
        case .lineString(let line): Self.edges(line)
        case .polygon(let rings): rings.flatMap(Self.edges)
        case .multiPolygon(let polygons): polygons.flatMap { $0.flatMap(Self.edges) }
        }
    }

    private static func edges(_ line: [Position]) -> [(Position, Position)] {
        zip(line, line.dropFirst()).map { ($0, $1) }
    }

    var boundingBox: BoundingBox { BoundingBox(positions) }
}

/// The smallest longitude–latitude box around some positions, to rule out far-apart
/// geometries before comparing their edges.
struct BoundingBox {
    var west = Double.infinity, south = Double.infinity, east = -Double.infinity, north = -Double.infinity

    init(_ positions: [Position]) {
        for position in positions {
            west = min(west, position.lon)
            east = max(east, position.lon)
            south = min(south, position.lat)
            north = max(north, position.lat)
        }
    }

    func overlaps(_ other: BoundingBox) -> Bool {
        west <= other.east && other.west <= east && south <= other.north && other.south <= north
    }
}
