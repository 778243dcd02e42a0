import CZeroMQ

/// A CURVE key pair in ZeroMQ's Z85 text form (40 characters each), as `zmq_curve_keypair`
/// makes them and every ZeroMQ binding reads them.
public struct CurveKeyPair: Sendable, Equatable, Codable {
    public let publicKey: String
    public let secretKey: String

    enum CodingKeys: String, CodingKey {
        case publicKey = "public", secretKey = "secret"
    }

    /// A fresh key pair from libsodium's random source.
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: Self.text(publicKey), secretKey: Self.text(secretKey))
    }

    /// The pair of `secretKey`, with its public key computed from it: a key file's two halves
    /// can never disagree.
    public init(secretKey: String) throws {
        guard Self.isKey(secretKey) else { throw CurveKeyError("a CURVE secret key is 40 characters of Z85") }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { throw CurveKeyError("not a CURVE secret key") }
        self.init(publicKey: Self.text(publicKey), secretKey: secretKey)
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(secretKey: container.decode(String.self, forKey: .secretKey))
        let stated = try container.decode(String.self, forKey: .publicKey)
        guard stated == publicKey else {
            throw CurveKeyError("the public key does not belong to the secret key")
        }
    }

    /// Whether `text` is a Z85-encoded 32-byte key.
    public static func isKey(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { z85Alphabet.contains($0) }
    }

    /// A NUL-terminated C buffer as text.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let z85Alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// The Z85 text of a raw 32-byte key, as ZAP hands keys over.
    static func z85(_ raw: [UInt8]) -> String? {
        guard raw.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, raw, 32) != nil else { return nil }
        return CurveKeyPair.text(text)
    }
}

/// A key that cannot be used, with the reason.
public struct CurveKeyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
