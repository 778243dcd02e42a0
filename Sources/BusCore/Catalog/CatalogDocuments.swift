import Foundation

/// The published form of a catalog: a JSON Schema per type and one AsyncAPI 3 document
/// describing every channel (topic), message and envelope. `concord catalog` writes them under
/// `docs/messages/`; a test fails when the committed files differ from what the code gives.
public enum CatalogDocuments {
    /// File name (relative) → contents.
    public static func render(_ catalog: MessageCatalog, version: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let types = catalog.types.values.sorted { $0.name < $1.name }
        for type in types {
            files["schemas/\(type.name).json"] = encode(schema(of: type))
        }
        files["asyncapi.json"] = encode(asyncAPI(types, version: version))
        return files
    }

    static func schema(of type: MessageType) -> JSONValue {
        var schema: [String: JSONValue] = [
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("https://concord.example/messages/\(type.name).json"),
            "title": .string(type.name),
            "description": .string(type.summary),
            "x-concord-dataversion": .integer(Int64(type.version)),
        ]
        if case .object(let inferred)? = type.schema { schema.merge(inferred) { current, _ in current } }
        if !type.examples.isEmpty {
            // Recorded examples of every version; older ones are upcast to the current one on read.
            schema["x-concord-examples"] = .object(Dictionary(uniqueKeysWithValues: type.examples.map { version, text in
                ("v\(version)", (try? JSONCoding.decoder.decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text))
            }))
        }
        return .object(schema)
    }

    static func asyncAPI(_ types: [MessageType], version: String) -> JSONValue {
        func id(_ name: String) -> String { name.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_") }
        var channels: [String: JSONValue] = [:], operations: [String: JSONValue] = [:], messages: [String: JSONValue] = [:]
        for type in types {
            let key = id(type.name)
            channels[key] = .object(["address": .string(type.name), "messages": .object([key: .object(["$ref": .string("#/components/messages/\(key)")])])])
            let isRequest = type.name.hasPrefix("cmd.") || type.name.hasPrefix("query.")
            operations[key] = .object([
                "action": .string(isRequest ? "send" : "receive"),
                "channel": .object(["$ref": .string("#/channels/\(key)")]),
                "summary": .string(type.summary),
            ])
            messages[key] = .object([
                "name": .string(type.name),
                "title": .string(type.name),
                "summary": .string(type.summary),
                "contentType": .string("application/cloudevents+json"),
                "payload": .object(["allOf": .array([
                    .object(["$ref": .string("#/components/schemas/CloudEvent")]),
                    .object(["properties": .object([
                        "type": .object(["const": .string(type.name)]),
                        "dataversion": .object(["type": .string("integer"), "maximum": .integer(Int64(type.version))]),
                        "data": .object(["$ref": .string("schemas/\(type.name).json")]),
                    ])]),
                ])]),
            ])
        }
        return .object([
            "asyncapi": .string("3.0.0"),
            "info": .object([
                "title": .string("Concord bus"),
                "version": .string(version),
                "description": .string("Every message on the Concord bus: CloudEvents 1.0 envelopes whose type is the ZeroMQ topic and the NATS subject at the gateway."),
            ]),
            "defaultContentType": .string("application/cloudevents+json"),
            "channels": .object(channels),
            "operations": .object(operations),
            "components": .object(["messages": .object(messages), "schemas": .object(["CloudEvent": cloudEvent])]),
        ])
    }

    /// The envelope every message travels in.
    static let cloudEvent: JSONValue = .object([
        "type": .string("object"),
        "required": .array(["specversion", "id", "source", "type"].map(JSONValue.string)),
        "properties": .object([
            "specversion": .object(["const": .string("1.0")]),
            "id": .object(["type": .string("string")]),
            "source": .object(["type": .string("string"), "description": .string("concord/<service> or partner/<code>")]),
            "type": .object(["type": .string("string")]),
            "time": .object(["type": .string("string"), "format": .string("date-time")]),
            "datacontenttype": .object(["const": .string("application/json")]),
            "dataversion": .object(["type": .string("integer"), "minimum": .integer(1)]),
            "sequence": .object(["type": .string("integer"), "minimum": .integer(1), "description": .string("per-source, gap-free")]),
            "classification": .object(["type": .string("string"), "enum": .array(Classification.allCases.map { .string($0.rawValue) })]),
            "releasableto": .object(["type": .string("string"), "description": .string("partner codes, space separated")]),
            "replyto": .object(["type": .string("string")]),
            "traceparent": .object(["type": .string("string")]),
            "idempotencykey": .object(["type": .string("string")]),
            "data": .object([:]),
        ]),
    ])

    static func encode(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data()) + [0x0A]
    }
}
