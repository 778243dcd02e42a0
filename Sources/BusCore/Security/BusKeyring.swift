import Foundation

/// A mission's bus keys on disk: every identity's public key in `identities.json`, and one
/// secret key file per identity (`concord.registry.key`, `operator.admin.key`, …), readable by
/// its owner only. A part needs the public keys and its own file; compose mounts exactly those.
public struct BusKeyring: Sendable, Equatable {
    /// Identity (`concord/registry`, `operator/admin`) → its Z85 public key.
    public let publicKeys: [String: String]
    private let identities: [String: String]

    public init(publicKeys: [String: String]) {
        self.publicKeys = publicKeys
        identities = Dictionary(publicKeys.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// The identity a public key belongs to, if any.
    public func identity(of publicKey: String) -> String? { identities[publicKey] }

    static let publicFile = "identities.json"

    struct PublicFile: Codable {
        var version = 1
        var identities: [String: String]
    }

    struct SecretFile: Codable {
        var identity: String
        var `public`: String
        var secret: String
    }

    /// The file name of `identity`'s secret key: `concord/registry` → `concord.registry.key`.
    public static func secretFileName(of identity: String) -> String {
        identity.replacingOccurrences(of: "/", with: ".") + ".key"
    }

    /// Reads the public keys of `folder`, failing with what to do when they are missing or bad.
    public static func load(folder: String) throws -> BusKeyring {
        let path = (folder as NSString).appendingPathComponent(publicFile)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CurveKeyError("no bus keys at \(path): create them with `concord keys init \(folder)` (or `concord up`, which creates its own)")
        }
        let file: PublicFile
        do {
            file = try JSONDecoder().decode(PublicFile.self, from: data)
        } catch {
            throw CurveKeyError("\(path) is not a Concord key list: \(error)")
        }
        guard file.version == 1 else { throw CurveKeyError("\(path) has version \(file.version); this concord reads version 1") }
        for (identity, key) in file.identities where !CurveKeyPair.isKey(key) {
            throw CurveKeyError("\(path): the public key of \(identity) is not 40 characters of Z85")
        }
        return BusKeyring(publicKeys: file.identities)
    }

    /// Reads `identity`'s key pair from `folder` and checks it against the public list.
    public func keyPair(of identity: String, folder: String) throws -> CurveKeyPair {
        let path = (folder as NSString).appendingPathComponent(Self.secretFileName(of: identity))
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CurveKeyError("no key for \(identity) at \(path): add it with `concord keys init \(folder) --operator <name>` or mount it")
        }
        let file: SecretFile
        let pair: CurveKeyPair
        do {
            file = try JSONDecoder().decode(SecretFile.self, from: data)
            pair = try CurveKeyPair(secretKey: file.secret)
        } catch {
            throw CurveKeyError("\(path) is not a Concord key file: \(error)")
        }
        guard file.identity == identity, pair.publicKey == file.public, publicKeys[identity] == pair.publicKey else {
            throw CurveKeyError("\(path) does not match \(identity)'s public key in \(Self.publicFile)")
        }
        return pair
    }

    /// Makes sure `folder` holds a key pair for each of `identities`: existing keys are kept,
    /// missing ones generated, and the public list rewritten with all of them.
    @discardableResult
    public static func create(folder: String, identities: [String]) throws -> (keyring: BusKeyring, created: [String]) {
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var known = (try? load(folder: folder).publicKeys) ?? [:]
        var created: [String] = []
        for identity in identities where known[identity] == nil {
            let pair = try CurveKeyPair.generate()
            let path = (folder as NSString).appendingPathComponent(secretFileName(of: identity))
            let data = try JSONEncoder().encode(SecretFile(identity: identity, public: pair.publicKey, secret: pair.secretKey))
            guard manager.createFile(atPath: path, contents: data + Data("\n".utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CurveKeyError("could not write \(path)")
            }
            known[identity] = pair.publicKey
            created.append(identity)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let listPath = (folder as NSString).appendingPathComponent(publicFile)
        try (encoder.encode(PublicFile(identities: known)) + Data("\n".utf8)).write(to: URL(fileURLWithPath: listPath), options: .atomic)
        return (BusKeyring(publicKeys: known), created)
    }
}
