import Geography

/// Features as an OGC KML 2.2 document, one Placemark each, properties as ExtendedData.
public enum KMLWriter {
    public static func document(name: String, _ features: [Feature]) -> String {
        var kml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        kml += #"<kml xmlns="http://www.opengis.net/kml/2.2"><Document>"#
        kml += XMLText.element("name", name)
        for feature in features {
            kml += #"<Placemark id="\#(XMLText.escape(feature.id))">"# + XMLText.element("name", feature.name)
            if !feature.properties.isEmpty {
                kml += "<ExtendedData>"
                for property in feature.properties {
                    kml += #"<Data name="\#(XMLText.escape(property.name))">"# + XMLText.element("value", property.value) + "</Data>"
                }
                kml += "</ExtendedData>"
            }
            kml += geometry(feature.geometry) + "</Placemark>"
        }
        return kml + "</Document></kml>\n"
    }

    static func geometry(_ geometry: Geometry) -> String {
        switch geometry {
        case .point(let position): "<Point>" + coordinates([position]) + "</Point>"
        case .lineString(let line): "<LineString>" + coordinates(line) + "</LineString>"
        case .polygon(let rings): polygon(rings)
        case .multiPolygon(let polygons): "<MultiGeometry>" + polygons.map(polygon).joined() + "</MultiGeometry>"
        }
    }

    private static func polygon(_ rings: [[Position]]) -> String {
        var kml = "<Polygon><outerBoundaryIs><LinearRing>" + coordinates(rings[0]) + "</LinearRing></outerBoundaryIs>"
        for hole in rings.dropFirst() { kml += "<innerBoundaryIs><LinearRing>" + coordinates(hole) + "</LinearRing></innerBoundaryIs>" }
        return kml + "</Polygon>"
    }

    /// KML writes `lon,lat` tuples separated by spaces.
    private static func coordinates(_ positions: [Position]) -> String {
        "<coordinates>" + positions.map { "\($0.lon),\($0.lat)" }.joined(separator: " ") + "</coordinates>"
    }
}
