#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random identifiers formatted without Foundation: every event, answer and partner message gets
/// one, and Foundation's `UUID()` opens the system's random device on each call.
public enum RandomID {
    private static let digits = Array("0123456789abcdef".utf8)

    /// An RFC 9562 version-4 UUID in lower case, for an envelope's `id`.
    public static func uuid() -> String {
        // One call for all 16 bytes: the system generator costs a system call per word here.
        var random: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &random) { arc4random_buf($0.baseAddress!, $0.count) }
        // Version 4 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
        let high = random.0 & ~0xF000 | 0x4000
        let low = random.1 & ~(0xC0 << 56) | (0x80 << 56)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        append(high >> 32, digits: 8, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(high >> 16, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(high, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(low >> 48, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(low, digits: 12, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A fresh W3C `traceparent`: `00-<32 hex trace id>-<16 hex span id>-01`.
    public static func traceparent() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = Array("00-".utf8)
        bytes.reserveCapacity(55)
        append(generator.next(), digits: 16, to: &bytes)
        append(generator.next(), digits: 16, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(generator.next(), digits: 16, to: &bytes)
        bytes.append(contentsOf: Array("-01".utf8))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The low `digits` hex digits of `value`, most significant first.
    private static func append(_ value: UInt64, digits count: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
            bytes.append(digits[Int((value >> UInt64(shift)) & 0xF)])
        }
    }
}

extension String {
    /// The string with zeros in front up to `width` characters, for fixed-width counters and hex.
    public func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
