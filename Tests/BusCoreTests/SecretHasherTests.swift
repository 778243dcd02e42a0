@testable import BusCore
import Testing

/// Checked against published vectors and an independent implementation, never against the
/// hasher's own output.
@Suite("Secret hashing")
struct SecretHasherTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// PBKDF2-HMAC-SHA256, first 32 bytes: RFC 7914 section 11's vectors, and the widely published
    /// "password"/"salt" ones (the same values as Python's hashlib.pbkdf2_hmac).
    static let vectors: [(password: String, salt: String, rounds: Int, key: String)] = [
        ("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"),
        ("Password", "NaCl", 80_000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"),
        ("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4_096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ]

    @Test("PBKDF2-HMAC-SHA256 gives the published test vectors", arguments: 0..<5)
    func pbkdf2(index: Int) {
        let vector = Self.vectors[index]
        #expect(Self.hex(SecretHasher.pbkdf2(vector.password, salt: Array(vector.salt.utf8), rounds: vector.rounds)) == vector.key)
    }

    @Test("a password hash made elsewhere (Python's hashlib) verifies; a wrong password or a changed hash does not")
    func verifiesForeignHash() {
        // hashlib.pbkdf2_hmac('sha256', b'correct horse battery', bytes(range(16)), 60000, 32)
        let stored = "pbkdf2-sha256$60000$000102030405060708090a0b0c0d0e0f$b3faaeea5c35e98e8c05027d27280b9ce6a110b5a79c39eefe18c4ca461294fd"
        #expect(SecretHasher.verify("correct horse battery", against: stored))
        #expect(!SecretHasher.verify("correct horse batterz", against: stored))
        #expect(!SecretHasher.verify("correct horse battery", against: stored.replacingOccurrences(of: "94fd", with: "94fe")))
        #expect(!SecretHasher.verify("correct horse battery", against: "pbkdf2-sha256$60000$zz$00"))
    }

    @Test("a token's hash is SHA-256 of the token (hashlib.sha256(b'test'))")
    func tokenHash() {
        #expect(SecretHasher.hashToken("test") == "sha256$9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        #expect(SecretHasher.verify("test", against: SecretHasher.hashToken("test")))
        #expect(!SecretHasher.verify("tesT", against: SecretHasher.hashToken("test")))
    }
}
