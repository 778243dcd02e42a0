import Foundation

/// A type whose decoding checks its values (a GeoJSON geometry, a WGS84 position), so the
/// probe cannot stand in for it: it states its schema and a valid placeholder itself.
public protocol SchemaDescribing {
    static var jsonSchema: JSONValue { get }
    static var schemaPlaceholder: Self { get }
}

/// Derives a JSON Schema from a `Decodable` type by decoding it with a probing decoder that
/// records every field asked for, its type and whether it is optional. So the published
/// schemas are the code's own, never a second description that could drift.
public enum SchemaInference {
    /// The JSON Schema (draft 2020-12 subset) of `type`.
    public static func schema<T: Decodable>(of type: T.Type, userInfo: [CodingUserInfoKey: any Sendable] = [:]) -> JSONValue {
        let probe = Probe(userInfo: userInfo.mapValues { $0 as Any })
        do {
            _ = try T(from: probe)
            return probe.result.schema
        } catch {
            // A field the probe could not stand in for (an enum that is not CaseIterable) stops
            // the decoding, and every field after it goes unseen: say so instead of publishing less.
            var schema = probe.result.schema
            schema["x-concord-incomplete"] = .string("derivation stopped: \(error)")
            return schema
        }
    }

    /// What one probe learned: a scalar, an object's properties, or an array's items.
    final class Node {
        var schema: JSONValue = .object([:])
    }

    final class Probe: Decoder {
        let codingPath: [any CodingKey] = []
        let userInfo: [CodingUserInfoKey: Any]
        let result = Node()

        init(userInfo: [CodingUserInfoKey: Any]) { self.userInfo = userInfo }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            let object = ObjectRecorder()
            result.schema = .object(["type": .string("object")])
            let container = KeyedDecodingContainer(KeyedProbe<Key>(recorder: object, probe: self))
            // Filled in as fields are decoded; snapshot taken lazily through the recorder.
            object.onChange = { [result] in result.schema = object.schema }
            return container
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            UnkeyedProbe(node: result, probe: self)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleProbe(node: result, probe: self) }
    }

    final class ObjectRecorder {
        var properties: [String: JSONValue] = [:]
        var required: [String] = []
        /// Keys asked `decodeNil` first: the standard `decodeIfPresent` does that, so they are optional.
        var optional: Set<String> = []
        var onChange: () -> Void = {}

        var schema: JSONValue {
            var object: [String: JSONValue] = ["type": .string("object"), "properties": .object(properties)]
            if !required.isEmpty { object["required"] = .array(required.sorted().map(JSONValue.string)) }
            return .object(object)
        }

        func record(_ key: String, _ schema: JSONValue, required isRequired: Bool) {
            properties[key] = schema
            if isRequired && !optional.contains(key) && !required.contains(key) { required.append(key) }
            onChange()
        }
    }

    /// The schema and a placeholder value of a nested type.
    static func probe<T: Decodable>(_ type: T.Type, userInfo: [CodingUserInfoKey: Any]) throws -> (JSONValue, T) {
        if let enumeration = enumSchema(of: type) { return enumeration }
        if let described = type as? any SchemaDescribing.Type, let placeholder = described.schemaPlaceholder as? T {
            return (described.jsonSchema, placeholder)
        }
        switch type {
        case is String.Type: return (.object(["type": .string("string")]), "" as! T)
        case is Bool.Type: return (.object(["type": .string("boolean")]), false as! T)
        case is Int.Type: return (.object(["type": .string("integer")]), 0 as! T)
        case is Int64.Type: return (.object(["type": .string("integer")]), Int64(0) as! T)
        case is Double.Type: return (.object(["type": .string("number")]), 0.0 as! T)
        case is JSONValue.Type: return (.object([:]), JSONValue.null as! T)
        default:
            let probe = Probe(userInfo: userInfo)
            let value = try T(from: probe)
            return (probe.result.schema, value)
        }
    }

    /// String enums list their cases; the first case stands in as the value.
    static func enumSchema<T>(of type: T.Type) -> (JSONValue, T)? {
        guard let iterable = type as? any CaseIterable.Type else { return nil }
        let cases = allCases(iterable)
        let raw = cases.compactMap { ($0 as? any RawRepresentable)?.rawValue as? String }
        guard let first = cases.first as? T, raw.count == cases.count else { return nil }
        return (.object(["type": .string("string"), "enum": .array(raw.map(JSONValue.string))]), first)
    }

    private static func allCases<C: CaseIterable>(_ type: C.Type) -> [Any] { Array(type.allCases) }

    struct KeyedProbe<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: ObjectRecorder
        let probe: Probe
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool {
            recorder.optional.insert(key.stringValue)
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let (schema, value) = try SchemaInference.probe(type, userInfo: probe.userInfo)
            recorder.record(key.stringValue, schema, required: true)
            return value
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            let (schema, _) = try SchemaInference.probe(type, userInfo: probe.userInfo)
            recorder.record(key.stringValue, schema, required: false)
            return nil
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            let nested = ObjectRecorder()
            nested.onChange = { recorder.record(key.stringValue, nested.schema, required: true) }
            return KeyedDecodingContainer(KeyedProbe<NestedKey>(recorder: nested, probe: probe))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            let node = Node()
            return UnkeyedProbe(node: node, probe: probe)
        }

        func superDecoder() throws -> any Decoder { probe }
        func superDecoder(forKey key: Key) throws -> any Decoder { probe }
    }

    /// Arrays: one element is probed for the items' schema.
    struct UnkeyedProbe: UnkeyedDecodingContainer {
        let node: Node
        let probe: Probe
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 1 }
        var isAtEnd: Bool { currentIndex >= 1 }
        var currentIndex = 0

        init(node: Node, probe: Probe) {
            self.node = node
            self.probe = probe
            node.schema = .object(["type": .string("array")])
        }

        mutating func decodeNil() throws -> Bool { false }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (schema, value) = try SchemaInference.probe(type, userInfo: probe.userInfo)
            node.schema = .object(["type": .string("array"), "items": schema])
            currentIndex += 1
            return value
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            currentIndex += 1
            return KeyedDecodingContainer(KeyedProbe<NestedKey>(recorder: ObjectRecorder(), probe: probe))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            return UnkeyedProbe(node: Node(), probe: probe)
        }

        mutating func superDecoder() throws -> any Decoder { probe }
    }

    struct SingleProbe: SingleValueDecodingContainer {
        let node: Node
        let probe: Probe
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (schema, value) = try SchemaInference.probe(type, userInfo: probe.userInfo)
            node.schema = schema
            return value
        }
    }
}
