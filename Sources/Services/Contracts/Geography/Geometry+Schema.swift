import BusCore
import Geography

/// The published schemas of GeoJSON values (RFC 7946).
extension Position: SchemaDescribing {
    public static let jsonSchema: JSONValue = .object([
        "type": .string("array"), "items": .object(["type": .string("number")]), "minItems": .integer(2),
        "description": .string("WGS84 [longitude, latitude]"),
    ])
    public static let schemaPlaceholder = Position(lon: 0, lat: 0)
}

extension Geometry: SchemaDescribing {
    public static let jsonSchema: JSONValue = .object([
        "type": .string("object"), "required": .array([.string("coordinates"), .string("type")]),
        "properties": .object([
            "type": .object(["type": .string("string"), "enum": .array(["Point", "LineString", "Polygon", "MultiPolygon"].map(JSONValue.string))]),
            "coordinates": .object(["type": .string("array")]),
        ]),
        "description": .string("a GeoJSON geometry"),
    ])
    public static let schemaPlaceholder = Geometry.point(Position(lon: 0, lat: 0))
}
