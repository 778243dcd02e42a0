import Foundation

/// Decodes `Decodable` values from JSON bytes through `JSONScanner` and a `JSONValue` tree:
/// every command's input goes through here. Errors are Foundation's `DecodingError`s with the
/// same coding paths, so `JSONCoding.describe` names the field as before.
public enum JSONTreeDecoder {
    public static func decode<T: Decodable>(_: T.Type, from bytes: [UInt8], userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> T {
        try decode(T.self, from: parse(bytes), userInfo: userInfo)
    }

    public static func decode<T: Decodable>(_: T.Type, from value: JSONValue, userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> T {
        try TreeDecoder(value, codingPath: [], userInfo: userInfo).decodeValue(T.self)
    }

    /// The tree of one JSON text, or `dataCorrupted` for text that is not JSON.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try bytes.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                let value = try scanner.value()
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw scanner.fail("unexpected text after the value") }
                return value
            }
        } catch let failure as JSONScanner.Failure {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(failure.reason) at byte \(failure.offset)"))
        }
    }
}

extension JSONScanner {
    /// Reads any value into a tree.
    mutating func value(depth: Int = 0) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw fail("nesting too deep") }
        guard let first = peek() else { throw fail("expected a value") }
        switch first {
        case UInt8(ascii: "{"):
            offset += 1
            var members: [String: JSONValue] = [:]
            if !take(UInt8(ascii: "}")) {
                repeat {
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    members[key] = try value(depth: depth + 1)
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"))
            }
            return .object(members)
        case UInt8(ascii: "["):
            offset += 1
            var elements: [JSONValue] = []
            if !take(UInt8(ascii: "]")) {
                repeat { elements.append(try value(depth: depth + 1)) } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"))
            }
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let range = try skipValue(depth: depth)
            switch bytes[range.lowerBound] {
            case UInt8(ascii: "t"): return .bool(true)
            case UInt8(ascii: "f"): return .bool(false)
            default: return .null
            }
        default:
            let range = try skipValue(depth: depth)
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            if let integer = Int64(text) { return .integer(integer) }
            guard let double = Double(text), double.isFinite else { throw fail("invalid number \(text)") }
            return .double(double)
        }
    }
}

struct TreeDecoder: Decoder {
    let value: JSONValue
    /// The path is built only when asked (errors, nested containers): most values are leaves.
    private let parentPath: [any CodingKey]
    private let key: (any CodingKey)?
    let userInfo: [CodingUserInfoKey: Any]

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

    init(_ value: JSONValue, codingPath: [any CodingKey], key: (any CodingKey)? = nil, userInfo: [CodingUserInfoKey: Any]) {
        self.value = value
        parentPath = codingPath
        self.key = key
        self.userInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self) }
        return KeyedDecodingContainer(KeyedTreeDecoding<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self) }
        return UnkeyedTreeDecoding(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(_ value: JSONValue, _ key: any CodingKey) -> TreeDecoder {
        TreeDecoder(value, codingPath: codingPath, key: key, userInfo: userInfo)
    }

    func mismatch(_ type: Any.Type) -> DecodingError {
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(value.kind) instead."))
    }

    /// Leaf types without the Decoder round trip; Foundation's own forms for Data, URL and Date.
    func decodeValue<T: Decodable>(_: T.Type) throws -> T {
        switch T.self {
        case is String.Type: return try decode(String.self) as! T
        case is Int.Type: return try decode(Int.self) as! T
        case is Double.Type: return try decode(Double.self) as! T
        case is Bool.Type: return try decode(Bool.self) as! T
        case is Data.Type:
            guard let data = Data(base64Encoded: try decode(String.self)) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
            }
            return data as! T
        case is URL.Type:
            guard let url = URL(string: try decode(String.self)) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Invalid URL string."))
            }
            return url as! T
        default: return try T(from: self)
        }
    }
}

extension TreeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(type) }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(type) }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let double): return double
        case .integer(let integer): return Double(integer)
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode<T: BinaryInteger & Decodable>(integer type: T.Type) throws -> T {
        let exact: T?
        switch value {
        case .integer(let integer): exact = T(exactly: integer)
        case .double(let double): exact = T(exactly: double)
        default: throw mismatch(type)
        }
        guard let exact else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Parsed JSON number does not fit in \(type)."))
        }
        return exact
    }

    func decode(_ type: Int.Type) throws -> Int { try decode(integer: type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decode(integer: type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decode(integer: type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decode(integer: type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decode(integer: type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decode(integer: type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(integer: type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(integer: type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(integer: type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(integer: type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
}

struct KeyedTreeDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    // Leaves without a child decoder or a dynamic type check: most fields are one of these.
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let value = try member(key)
        if case .string(let string) = value { return string }
        throw decoder.child(value, key).mismatch(type)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let value = try member(key)
        if case .bool(let bool) = value { return bool }
        throw decoder.child(value, key).mismatch(type)
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.child(try member(key), key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.child(try member(key), key).decode(type) }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        if case .string(let string) = value { return string }
        throw decoder.child(value, key).mismatch(type)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.child(try member(key), key).decodeValue(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try decoder.child(value, key).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(try member(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try member(key), key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder.child(members["super"] ?? .null, IndexKey.superKey) }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(members[key.stringValue] ?? .null, key) }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return value
    }
}

struct UnkeyedTreeDecoding: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: TreeDecoder
    private(set) var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [JSONValue], decoder: TreeDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    mutating func decodeNil() throws -> Bool {
        guard try next(Never.self) == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.child(try next(type), IndexKey(intValue: currentIndex)).decodeValue(type)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try decoder.child(try next(type), IndexKey(intValue: currentIndex)).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.child(try next([Any].self), IndexKey(intValue: currentIndex)).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let child = decoder.child(try next(Any.self), IndexKey(intValue: currentIndex))
        currentIndex += 1
        return child
    }

    private func next(_ type: Any.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(intValue: currentIndex)],
                                                          debugDescription: "Unkeyed container is at end."))
        }
        return elements[currentIndex]
    }
}

extension IndexKey {
    static let superKey = IndexKey(intValue: 0)
}

extension JSONValue {
    /// How a mismatch names what it found.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .integer, .double: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}
