import Crypto
import Foundation

/// NATS nkeys for partner users: Ed25519 keys written as base32 with a prefix byte and a CRC-16,
/// as nats-server and every NATS client read them. A partner keeps its seed (`SU…`); Concord
/// keeps only the public key (`U…`) and checks a signature of the nonce in the gateway's INFO.
public enum NKey {
    /// Prefix bytes (the first base32 letter of the key).
    private static let userPrefix: UInt8 = 20 << 3   // "U"
    private static let seedPrefix: UInt8 = 18 << 3   // "S"

    /// The 32 raw bytes of a user's public nkey, if `text` is one (prefix and checksum right).
    public static func userPublicKey(_ text: String) -> [UInt8]? {
        guard let bytes = decode(text), bytes.count == 33, bytes[0] == userPrefix else { return nil }
        return Array(bytes[1..<33])
    }

    /// Whether `signature` (base64, standard or URL-safe, padded or not) is the user key's
    /// Ed25519 signature of `nonce`.
    public static func verify(publicKey text: String, signature: String, nonce: String) -> Bool {
        guard let raw = userPublicKey(text), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
              let signature = base64(signature) else { return false }
        return key.isValidSignature(signature, for: Data(nonce.utf8))
    }

    /// A new user key pair: the seed (`SU…`, for the partner alone) and the public key (`U…`).
    public static func generateUser() -> (seed: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        let seed = [seedPrefix | (userPrefix >> 5), (userPrefix & 31) << 3] + Array(key.rawRepresentation)
        return (encode(seed), encode([userPrefix] + Array(key.publicKey.rawRepresentation)))
    }

    /// The Ed25519 signature of `nonce` with a user seed, base64 as NATS clients send it.
    public static func sign(_ nonce: String, seed text: String) -> String? {
        guard let bytes = decode(text), bytes.count == 34, bytes[0] == seedPrefix | (userPrefix >> 5), bytes[1] == (userPrefix & 31) << 3,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes[2..<34]),
              let signature = try? key.signature(for: Data(nonce.utf8)) else { return nil }
        return Data(signature).base64EncodedString()
    }

    /// Payload bytes (prefix and key) of a base32 nkey whose trailing CRC-16 matches.
    private static func decode(_ text: String) -> [UInt8]? {
        guard let bytes = base32Decode(text), bytes.count > 2 else { return nil }
        let payload = Array(bytes.dropLast(2))
        let stored = UInt16(bytes[bytes.count - 2]) | UInt16(bytes[bytes.count - 1]) << 8
        return crc16(payload) == stored ? payload : nil
    }

    private static func encode(_ payload: [UInt8]) -> String {
        let crc = crc16(payload)
        return base32Encode(payload + [UInt8(crc & 0xff), UInt8(crc >> 8)])
    }

    /// CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys checksums.
    static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// RFC 4648 base32 without padding.
    static func base32Encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = [], buffer: UInt32 = 0, bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    static func base32Decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = [], buffer: UInt32 = 0, bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8(buffer >> UInt32(bits - 8) & 0xff))
                bits -= 8
            }
        }
        return output
    }

    private static func base64(_ text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}
