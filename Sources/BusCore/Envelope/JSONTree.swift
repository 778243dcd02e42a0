import Foundation

extension JSONValue {
    /// The value as JSON text: keys sorted, slashes unescaped, integral doubles without `.0` —
    /// byte for byte what `JSONCoding.encoder` writes, so stored answers and golden files keep.
    public var bytes: [UInt8] {
        var writer = JSONWriter(capacity: 256)
        write(into: &writer)
        return writer.bytes
    }

    func write(into writer: inout JSONWriter) {
        switch self {
        case .null: writer.raw("null")
        case .bool(let value): value ? writer.raw("true") : writer.raw("false")
        case .integer(let value): writer.integer(value)
        case .double(let value): writer.double(value)
        case .string(let value): writer.string(value)
        case .array(let elements):
            writer.bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                element.write(into: &writer)
            }
            writer.bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            writer.bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                writer.string(key)
                writer.bytes.append(UInt8(ascii: ":"))
                members[key]!.write(into: &writer)
            }
            writer.bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// Encodes `Encodable` values into a `JSONValue` without Foundation's boxes: every event a
/// service emits and every entity row it stores goes through here.
public enum JSONTreeEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try tree(of: value, in: [], at: nil)
    }

    /// Leaf types short-cut the Encoder protocol; the rest encode into a child encoder. The
    /// coding path is only built when needed: most values are leaves.
    static func tree<T: Encodable>(of value: T, in parent: [any CodingKey], at key: (any CodingKey)?) throws -> JSONValue {
        var path: [any CodingKey] { key.map { parent + [$0] } ?? parent }
        switch value {
        case let value as JSONValue: return value
        case let value as String: return .string(value)
        case let value as Int: return .integer(Int64(value))
        case let value as Bool: return .bool(value)
        case let value as Double where value.isFinite: return .double(value)
        // Foundation's defaults for these, which their own Codable conformances do not give.
        case let value as Data: return .string(value.base64EncodedString())
        case let value as URL: return .string(value.absoluteString)
        default:
            let encoder = TreeEncoder(codingPath: parent, key: key)
            try value.encode(to: encoder)
            return encoder.storage.resolved
        }
    }

    static func double(_ value: Double, path: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not valid in JSON"))
        }
        return .double(value)
    }

    static func integer<T: BinaryInteger>(_ value: T, path: [any CodingKey]) throws -> JSONValue {
        guard let exact = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) does not fit in 64 bits"))
        }
        return .integer(exact)
    }
}

/// What one encoder or container has written so far; containers share it by reference because
/// `Codable` hands them out before filling them.
final class TreeStorage {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: JSONValue], nested: [String: TreeStorage])
        case array([Element])
    }
    enum Element {
        case value(JSONValue)
        case nested(TreeStorage)
    }

    var content: Content = .empty

    var resolved: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(var members, let nested):
            for (key, storage) in nested { members[key] = storage.resolved }
            return .object(members)
        case .array(let elements):
            return .array(elements.map { element in
                switch element {
                case .value(let value): return value
                case .nested(let storage): return storage.resolved
                }
            })
        }
    }

    func set(_ value: JSONValue, forKey key: String) {
        guard case .object(var members, var nested) = content else {
            content = .object([key: value], nested: [:])
            return
        }
        content = .empty // keeps `members` uniquely referenced while it changes
        members[key] = value
        nested[key] = nil
        content = .object(members, nested: nested)
    }

    func nest(_ storage: TreeStorage, forKey key: String) {
        guard case .object(var members, var nested) = content else {
            content = .object([:], nested: [key: storage])
            return
        }
        content = .empty
        members[key] = nil
        nested[key] = storage
        content = .object(members, nested: nested)
    }

    func append(_ element: Element) {
        guard case .array(var elements) = content else {
            content = .array([element])
            return
        }
        content = .empty
        elements.append(element)
        content = .array(elements)
    }
}

final class TreeEncoder: Encoder {
    /// The path is built only when asked: most child encoders write one value and are gone.
    private let parentPath: [any CodingKey]
    private let key: (any CodingKey)?
    let userInfo: [CodingUserInfoKey: Any] = [:]
    let storage: TreeStorage

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

    init(codingPath: [any CodingKey], key: (any CodingKey)? = nil, storage: TreeStorage = TreeStorage()) {
        parentPath = codingPath
        self.key = key
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = storage.content {} else { storage.content = .object([:], nested: [:]) }
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(storage: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = storage.content {} else { storage.content = .array([]) }
        return UnkeyedTreeContainer(storage: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeContainer(encoder: self) }
}

struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: TreeStorage
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { storage.set(.null, forKey: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { storage.set(.bool(value), forKey: key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) throws { storage.set(.string(value), forKey: key.stringValue) }
    mutating func encode(_ value: Int, forKey key: Key) throws { storage.set(.integer(Int64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { storage.set(.integer(value), forKey: key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        storage.set(value.isFinite ? .double(value) : try JSONTreeEncoder.double(value, path: codingPath + [key]), forKey: key.stringValue)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        storage.set(try JSONTreeEncoder.tree(of: value, in: codingPath, at: key), forKey: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = TreeStorage()
        storage.nest(nested, forKey: key.stringValue)
        return TreeEncoder(codingPath: codingPath + [key], storage: nested).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = TreeStorage()
        storage.nest(nested, forKey: key.stringValue)
        return TreeEncoder(codingPath: codingPath + [key], storage: nested).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let nested = TreeStorage()
        storage.nest(nested, forKey: key.stringValue)
        return TreeEncoder(codingPath: codingPath + [key], storage: nested)
    }
}

struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let storage: TreeStorage
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(storage: TreeStorage, codingPath: [any CodingKey]) {
        self.storage = storage
        self.codingPath = codingPath
    }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(intValue: count)] }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: Int) throws { append(.integer(Int64(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try JSONTreeEncoder.tree(of: value, in: codingPath, at: IndexKey(intValue: count)))
    }

    private mutating func append(_ value: JSONValue) {
        storage.append(.value(value))
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(codingPath: nextPath, storage: nest()).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: nextPath, storage: nest()).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: nextPath, storage: nest()) }

    private mutating func nest() -> TreeStorage {
        let nested = TreeStorage()
        storage.append(.nested(nested))
        count += 1
        return nested
    }
}

struct SingleTreeContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var storage: TreeStorage { encoder.storage }
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { storage.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { storage.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { storage.content = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { storage.content = .value(try JSONTreeEncoder.double(value, path: codingPath)) }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode(_ value: Int) throws { storage.content = .value(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int16) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int32) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int64) throws { storage.content = .value(.integer(value)) }
    mutating func encode(_ value: UInt) throws { storage.content = .value(try JSONTreeEncoder.integer(value, path: codingPath)) }
    mutating func encode(_ value: UInt8) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt16) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt32) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt64) throws { storage.content = .value(try JSONTreeEncoder.integer(value, path: codingPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.content = .value(try JSONTreeEncoder.tree(of: value, in: codingPath, at: nil))
    }
}

/// The coding key of an array element, for error paths.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
