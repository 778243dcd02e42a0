/// A strict, allocation-light reader of one JSON text: the envelope decoder walks the top-level
/// object with it and keeps `data` as the raw bytes it spans, decoding it only when asked.
struct JSONScanner {
    struct Failure: Error {
        let offset: Int
        let reason: String
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    static let maxDepth = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    func fail(_ reason: String) -> Failure { Failure(offset: offset, reason: reason) }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        offset += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    /// Reads a string value, unescaping only when the string holds escapes.
    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        var hasEscapes = false
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                return hasEscapes ? try Self.unescape(slice) : String(decoding: slice, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                offset += 2
                continue
            }
            if byte < 0x20 { throw fail("control character in string") }
            offset += 1
        }
        throw fail("unterminated string")
    }

    /// Reads an integer value, digit by digit (no intermediate string).
    mutating func integer() throws -> Int64 {
        skipWhitespace()
        let start = offset
        try skipNumber()
        var index = start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // Accumulated negatively, so Int64.min reads too.
        var value: Int64 = 0
        while index < offset {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { offset = start; throw fail("expected an integer") }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAgain) = shifted.subtractingReportingOverflow(Int64(byte - 0x30))
            guard !overflow, !overflowAgain else { offset = start; throw fail("integer out of range") }
            value = next
            index += 1
        }
        if negative { return value }
        guard value != .min else { offset = start; throw fail("integer out of range") }
        return -value
    }

    /// Skips a string value, checking its escapes, without building it.
    mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                guard offset + 1 < bytes.count else { throw fail("bad escape") }
                switch bytes[offset + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    offset += 2
                case UInt8(ascii: "u"):
                    _ = try Self.hex4(bytes, at: offset + 2)
                    offset += 6
                default: throw fail("bad escape")
                }
                continue
            }
            if byte < 0x20 { throw fail("control character in string") }
            offset += 1
        }
        throw fail("unterminated string")
    }

    /// Skips any value, checking its structure, and returns the byte range it spans.
    mutating func skipValue(depth: Int = 0) throws -> Range<Int> {
        guard depth < Self.maxDepth else { throw fail("nesting too deep") }
        guard let first = peek() else { throw fail("expected a value") }
        let start = offset
        switch first {
        case UInt8(ascii: "{"):
            offset += 1
            if !take(UInt8(ascii: "}")) {
                repeat {
                    try skipString()
                    try expect(UInt8(ascii: ":"))
                    _ = try skipValue(depth: depth + 1)
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"))
            }
        case UInt8(ascii: "["):
            offset += 1
            if !take(UInt8(ascii: "]")) {
                repeat { _ = try skipValue(depth: depth + 1) } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
        return start..<offset
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
              word.withUTF8Buffer({ $0.elementsEqual(bytes[offset..<offset + count]) }) else {
            throw fail("invalid literal")
        }
        offset += count
    }

    /// A number as JSON writes it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Anything looser (`1.2.3`, `01`, `1.`, `1e`) would pass here and fail in the reader.
    private mutating func skipNumber() throws {
        let start = offset
        func digits() -> Int {
            let first = offset
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
            return offset - first
        }
        func next(_ choices: Character...) -> Bool {
            guard offset < bytes.count, choices.contains(Character(UnicodeScalar(bytes[offset]))) else { return false }
            offset += 1
            return true
        }
        _ = next("-")
        let integer = offset
        let integerDigits = digits()
        guard integerDigits > 0 else { offset = start; throw fail("expected a value") }
        guard bytes[integer] != UInt8(ascii: "0") || integerDigits == 1 else { offset = start; throw fail("invalid number") }
        if next("."), digits() == 0 { offset = start; throw fail("invalid number") }
        if next("e", "E") {
            _ = next("+", "-")
            guard digits() > 0 else { offset = start; throw fail("invalid number") }
        }
    }

    private static func unescape(_ slice: UnsafeBufferPointer<UInt8>) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(slice.count)
        var index = 0
        while index < slice.count {
            let byte = slice[index]
            guard byte == UInt8(ascii: "\\") else { output.append(byte); index += 1; continue }
            guard index + 1 < slice.count else { throw Failure(offset: index, reason: "bad escape") }
            let escaped = slice[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(slice, at: index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= slice.count,
                   slice[index] == UInt8(ascii: "\\"), slice[index + 1] == UInt8(ascii: "u") {
                    let low = try hex4(slice, at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: Array(String(character).utf8))
            default:
                throw Failure(offset: index, reason: "bad escape")
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hex4(_ slice: UnsafeBufferPointer<UInt8>, at index: Int) throws -> UInt32 {
        guard index + 4 <= slice.count else { throw Failure(offset: index, reason: "bad unicode escape") }
        var value: UInt32 = 0
        for byte in slice[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x37
            default: throw Failure(offset: index, reason: "bad unicode escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
