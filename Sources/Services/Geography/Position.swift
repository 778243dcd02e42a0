import Foundation

/// A WGS84 position, as GeoJSON writes it: `[longitude, latitude]` in degrees.
public struct Position: Hashable, Sendable, Codable, CustomStringConvertible {
    public var lon: Double
    public var lat: Double

    public init(lon: Double, lat: Double) {
        self.lon = lon
        self.lat = lat
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        lon = try container.decode(Double.self)
        lat = try container.decode(Double.self)
        // An altitude may follow (RFC 7946 §3.1.1); it is not used.
        guard (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "[\(lon), \(lat)] is not a WGS84 [longitude, latitude]"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(lon)
        try container.encode(lat)
    }

    public var description: String { "[\(lon), \(lat)]" }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    public func distance(to other: Position) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.lat - lat) * radians
        let dLon = (other.lon - lon) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat * radians) * cos(other.lat * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * Self.earthRadius * asin(min(1, a.squareRoot()))
    }

    /// The position `east` and `north` metres away (on the local tangent plane: for the short
    /// distances of an area of operations).
    public func offset(east: Double, north: Double) -> Position {
        let degrees = 180 / Double.pi
        return Position(lon: lon + east / (Self.earthRadius * cos(lat * .pi / 180)) * degrees,
                        lat: lat + north / Self.earthRadius * degrees)
    }

    /// Rounded to a micro-degree (about 0.1 m), so computed positions print as people write them.
    public var rounded: Position {
        Position(lon: (lon * 1_000_000).rounded() / 1_000_000, lat: (lat * 1_000_000).rounded() / 1_000_000)
    }

    static let earthRadius = 6_371_008.8
}
