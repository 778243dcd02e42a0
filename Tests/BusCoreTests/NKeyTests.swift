@testable import BusCore
import Foundation
import Testing

@Suite("nkeys")
struct NKeyTests {
    /// A user key pair made by the NATS nkeys library (Python `nkeys`), with its signature of
    /// "nonce-1" in the base64 nats-py sends.
    static let seed = "SUAIDXSJOJIB25QOVZ73OGT3XDNB724YFYAAX3Q6YWJGH56KXUPZRNCQKA"
    static let signature = "vJpu+4PWN4+jQZ05Z/QvDSgWPPRbUVIOnahqgaJbUJ6tXzzlwo46ZgMYSiHdmwxqNiwRAEIUphP2+GTIzKSjCA=="
    static let publicKey = "UABMKYLOUOVLF22EUZO23GXSLKUEMVMMEVR7BGQDXULADEN47P5A7MMJ"

    @Test("a key pair made here signs what a key made here verifies, and nothing else; a changed letter breaks the checksum")
    func roundTrip() throws {
        let pair = NKey.generateUser()
        #expect(pair.seed.hasPrefix("SU") && pair.seed.count == 58)
        #expect(pair.publicKey.hasPrefix("U") && pair.publicKey.count == 56)
        #expect(NKey.userPublicKey(pair.publicKey) != nil)
        let signature = try #require(NKey.sign("nonce-1", seed: pair.seed))
        #expect(NKey.verify(publicKey: pair.publicKey, signature: signature, nonce: "nonce-1"))
        #expect(!NKey.verify(publicKey: pair.publicKey, signature: signature, nonce: "nonce-2"))
        var changed = Array(pair.publicKey)
        changed[10] = changed[10] == "A" ? "B" : "A"
        #expect(NKey.userPublicKey(String(changed)) == nil)
    }

    @Test("base32 and the CRC-16 agree with the nkeys library's encoding")
    func interoperates() {
        #expect(NKey.userPublicKey(Self.publicKey) != nil)
        #expect(NKey.verify(publicKey: Self.publicKey, signature: Self.signature, nonce: "nonce-1"))
        // Ed25519 signatures are deterministic: the same seed signs the same bytes.
        #expect(NKey.sign("nonce-1", seed: Self.seed) == Self.signature)
    }
}
