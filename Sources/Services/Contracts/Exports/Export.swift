/// The standard formats partners exchange, as Concord writes them.
public enum ExportFormat: String, Codable, Sendable, CaseIterable {
    /// OASIS Common Alerting Protocol 1.2, one document per alert.
    case cap
    /// An RFC 7946 FeatureCollection per layer.
    case geojson
    /// OGC KML 2.2, for partners outside the mission network.
    case kml
    /// CSV with a row of HXL hashtags under the headers, for humanitarian partners.
    case hxl

    public var mediaType: String {
        switch self {
        case .cap: "application/cap+xml"
        case .geojson: "application/geo+json"
        case .kml: "application/vnd.google-earth.kml+xml"
        case .hxl: "text/csv"
        }
    }

    public var fileExtension: String {
        switch self {
        case .cap: "cap.xml"
        case .geojson: "geojson"
        case .kml: "kml"
        case .hxl: "csv"
        }
    }
}

/// One exported file.
public struct ExportFile: Codable, Sendable, Equatable {
    public var name: String
    public var mediaType: String
    public var content: String
}

/// What an export query answers: the files of one layer in one format.
public struct Export: Codable, Sendable, Equatable {
    public var layer: String
    public var format: ExportFormat
    public var files: [ExportFile]

    public init(layer: String, format: ExportFormat, files: [ExportFile]) {
        self.layer = layer
        self.format = format
        self.files = files
    }

    /// One file named after the layer.
    public init(layer: String, format: ExportFormat, content: String) {
        self.init(layer: layer, format: format,
                  files: [ExportFile(name: "\(layer).\(format.fileExtension)", mediaType: format.mediaType, content: content)])
    }
}
