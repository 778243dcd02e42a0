import Crypto
import Foundation

/// A stable stand-in for a key that an audience may not learn. The same key always gives the
/// same stand-in, so a record derived from it keeps one identity across restarts and replays;
/// the stand-in never contains the key. It is a digest, not a secret: someone who guesses the
/// key can confirm the guess (docs/security.md).
public enum Pseudonym {
    /// `<kind>-<12 hex digits of SHA-256(key)>`, e.g. `alert-3f2a9c01b7de`.
    public static func of(_ key: String, kind: String) -> String {
        let digest = SHA256.hash(data: Data(key.utf8))
        return kind + "-" + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
