import Crypto
import Foundation

/// Hashes partner secrets for storage and checks secrets against stored hashes.
/// Tokens are long random strings, so one SHA-256 suffices; passwords get salted PBKDF2.
public enum SecretHasher {
    /// PBKDF2 rounds for passwords.
    public static let passwordRounds = 60_000

    /// The stored form of a token: `sha256$<hex>`.
    public static func hashToken(_ token: String) -> String {
        "sha256$" + hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// The stored form of a password: `pbkdf2-sha256$<rounds>$<salt hex>$<hash hex>`.
    public static func hashPassword(_ password: String, rounds: Int = passwordRounds) -> String {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        return "pbkdf2-sha256$\(rounds)$\(hex(salt))$\(hex(pbkdf2(password, salt: salt, rounds: rounds)))"
    }

    /// What a stored hash is for, when it is well formed: a token's SHA-256, or a password's
    /// PBKDF2 with at least `minimumRounds` rounds and a 16-byte salt. Anything else is nil.
    public enum HashKind: Sendable, Equatable { case token, password }
    public static let minimumRounds = 10_000

    public static func kind(of hash: String) -> HashKind? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        func isHex(_ text: String, bytes: Int) -> Bool { text.count == bytes * 2 && unhex(text) != nil && text == text.lowercased() }
        switch parts.first {
        case "sha256" where parts.count == 2 && isHex(parts[1], bytes: 32):
            return .token
        case "pbkdf2-sha256" where parts.count == 4 && isHex(parts[2], bytes: 16) && isHex(parts[3], bytes: 32):
            guard let rounds = Int(parts[1]), rounds >= minimumRounds, rounds <= 10_000_000 else { return nil }
            return .password
        default:
            return nil
        }
    }

    /// Whether `secret` matches the stored `hash`, compared in constant time.
    public static func verify(_ secret: String, against hash: String) -> Bool {
        let parts = hash.split(separator: "$").map(String.init)
        let computed: String
        switch parts.first {
        case "sha256" where parts.count == 2:
            computed = hashToken(secret)
        case "pbkdf2-sha256" where parts.count == 4:
            guard let rounds = Int(parts[1]), let salt = unhex(parts[2]) else { return false }
            computed = "pbkdf2-sha256$\(rounds)$\(parts[2])$\(hex(pbkdf2(secret, salt: salt, rounds: rounds)))"
        default:
            return false
        }
        return equal(computed, hash)
    }

    /// Compares in time that depends on the lengths only, never on where the texts differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func pbkdf2(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        // One 32-byte block of PBKDF2-HMAC-SHA256 (RFC 8018).
        let key = SymmetricKey(data: Data(password.utf8))
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<max(rounds, 1) {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    private static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func unhex(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
