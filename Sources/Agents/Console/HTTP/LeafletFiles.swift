import Foundation

/// Leaflet as Debian's libjs-leaflet installs it, read once at start and served from memory:
/// the map needs no network and no JavaScript build.
struct LeafletFiles: Sendable {
    struct Asset: Sendable {
        var text: String
        var contentType: String
    }
    private let files: [String: Asset]

    init(folder: String) {
        var files: [String: Asset] = [:]
        for (name, type) in [("leaflet.js", "text/javascript; charset=utf-8"), ("leaflet.css", "text/css; charset=utf-8")] {
            if let text = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) { files[name] = Asset(text: text, contentType: type) }
        }
        self.files = files
    }

    var isPresent: Bool { files["leaflet.js"] != nil }

    func file(_ name: String) -> Asset? { files[name] }
}
