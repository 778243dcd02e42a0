import GRDB

/// A partner's secret for the gateway, stored only as a hash.
public struct Credential: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "credential"

    /// How the partner authenticates.
    /// `nkey`: a user nkey (Ed25519), stored as its public key in both `user` and `hash`; the
    /// partner signs the gateway's nonce with its seed, which never leaves the partner.
    public enum Kind: String, Codable, Sendable, CaseIterable { case token, password, nkey }

    public var partner: String
    public var kind: Kind
    /// The user name for `password` credentials; empty for tokens.
    public var user: String
    /// `SecretHasher` output; the secret itself is never stored.
    public var hash: String
    public var issuedAt: String

    public init(partner: String, kind: Kind, user: String, hash: String, issuedAt: String) {
        self.partner = partner
        self.kind = kind
        self.user = user
        self.hash = hash
        self.issuedAt = issuedAt
    }
}

/// A partner's subject permissions on the gateway: NATS subjects with wildcards.
public struct PermissionSet: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "permission"

    public var partner: String
    /// Subjects the partner may publish to.
    public var publish: [String]
    /// Subjects the partner may subscribe to.
    public var subscribe: [String]

    public init(partner: String, publish: [String], subscribe: [String]) {
        self.partner = partner
        self.publish = publish
        self.subscribe = subscribe
    }
}
