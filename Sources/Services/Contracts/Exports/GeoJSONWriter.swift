import BusCore
import Geography

/// Features as an RFC 7946 FeatureCollection.
public enum GeoJSONWriter {
    public static func featureCollection(_ features: [Feature]) -> String {
        let collection: JSONValue = .object([
            "type": .string("FeatureCollection"),
            "features": .array(features.map { feature in
                var properties = ["name": JSONValue.string(feature.name)]
                for property in feature.properties { properties[property.name] = .string(property.value) }
                return .object(["type": .string("Feature"), "id": .string(feature.id),
                                "geometry": JSONValue(feature.geometry), "properties": .object(properties)])
            }),
        ])
        return (try? JSONCoding.encoder.encode(collection)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
