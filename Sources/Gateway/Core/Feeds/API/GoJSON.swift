import Foundation

/// JSON written the way nats-server's Go encoder writes it: keys in declaration order, `<`, `>`
/// and `&` escaped as `\u003c`, `\u003e`, `\u0026`, times in RFC 3339 with nanoseconds. Stock
/// clients read any JSON; writing the same bytes keeps answers comparable with nats-server's.
indirect enum GoJSON: Sendable, Equatable {
    case object([(String, GoJSON)])
    case array([GoJSON])
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null

    static func == (lhs: GoJSON, rhs: GoJSON) -> Bool { lhs.bytes == rhs.bytes }

    static func int(_ value: Int) -> GoJSON { .integer(Int64(value)) }

    /// An object without the members whose value is nil, as Go's `omitempty` leaves them out.
    static func fields(_ members: [(String, GoJSON?)]) -> GoJSON {
        .object(members.compactMap { name, value in value.map { (name, $0) } })
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (name, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(name, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text): Self.writeString(text, into: &out)
        case .integer(let value): out.append(contentsOf: String(value).utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), 0x00..<0x20:
                out.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A time as Go's `time.Time` marshals it: UTC, nanoseconds without trailing zeros; the
    /// zero time for nanoseconds 0.
    static func time(nanoseconds: Int64) -> GoJSON {
        guard nanoseconds > 0 else { return .string("0001-01-01T00:00:00Z") }
        let seconds = nanoseconds / 1_000_000_000
        let fraction = nanoseconds % 1_000_000_000
        var components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!,
                                                                          from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        components.nanosecond = 0
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", components.year!, components.month!, components.day!,
                          components.hour!, components.minute!, components.second!)
        if fraction > 0 {
            var digits = String(format: "%09lld", fraction)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return .string(text + "Z")
    }
}
