import Foundation

/// Shared Foundation coders for `data` payloads: created once, never per message.
public enum JSONCoding {
    /// Sorted keys keep stored replies and golden files byte-stable.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder = JSONDecoder()

    /// A one-line reason for a decoding failure, naming the field path.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "data" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(parent == "data" ? key.stringValue : parent + "." + key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "field '\(path(context))' has the wrong type: expected \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(path(context))' is null: expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "data is not valid JSON"
                : "field '\(path(context))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "data does not match its schema"
        }
    }
}
