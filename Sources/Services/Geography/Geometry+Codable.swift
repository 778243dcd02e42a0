/// GeoJSON's `{"type": …, "coordinates": …}`, checked on the way in: a geometry that would make
/// the predicates meaningless (an open ring, a line of one position) is refused with the reason.
extension Geometry: Codable {
    private enum CodingKeys: String, CodingKey { case type, coordinates }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        func invalid(_ reason: String) -> DecodingError {
            .dataCorruptedError(forKey: .coordinates, in: container, debugDescription: "\(type): \(reason)")
        }
        switch type {
        case "Point":
            self = .point(try container.decode(Position.self, forKey: .coordinates))
        case "LineString":
            let line = try container.decode([Position].self, forKey: .coordinates)
            guard line.count >= 2 else { throw invalid("a line needs at least two positions") }
            self = .lineString(line)
        case "Polygon":
            let rings = try container.decode([[Position]].self, forKey: .coordinates)
            if let reason = Self.problem(rings) { throw invalid(reason) }
            self = .polygon(rings)
        case "MultiPolygon":
            let polygons = try container.decode([[[Position]]].self, forKey: .coordinates)
            guard !polygons.isEmpty else { throw invalid("a MultiPolygon needs at least one polygon") }
            if let reason = polygons.lazy.compactMap(Self.problem).first { throw invalid(reason) }
            self = .multiPolygon(polygons)
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container,
                                                   debugDescription: "'\(type)' is not a geometry here; expected Point, LineString, Polygon or MultiPolygon")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        switch self {
        case .point(let position): try container.encode(position, forKey: .coordinates)
        case .lineString(let line): try container.encode(line, forKey: .coordinates)
        case .polygon(let rings): try container.encode(rings, forKey: .coordinates)
        case .multiPolygon(let polygons): try container.encode(polygons, forKey: .coordinates)
        }
    }

    /// Why these rings are not a polygon (RFC 7946 §3.1.6), or nil.
    static func problem(_ rings: [[Position]]) -> String? {
        guard !rings.isEmpty else { return "a polygon needs an outer ring" }
        for ring in rings {
            guard ring.count >= 4 else { return "a ring needs at least four positions" }
            guard ring.first == ring.last else { return "a ring must end where it starts" }
        }
        return nil
    }
}
