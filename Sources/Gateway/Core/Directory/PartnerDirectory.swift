import BusCore
import Synchronization

/// The gateway's view of the registry: partners, hashed credentials and permissions, kept up to
/// date from the registry's events. Nothing here is read from the registry's database.
public final class PartnerDirectory: Sendable {
    /// What the gateway knows of one partner.
    public struct Entry: Sendable, Equatable {
        public var code: String
        public var clearance: Classification
        public var status: String
        public var publish: [String] = []
        public var subscribe: [String] = []
        /// Credential hashes by user ("" for the token).
        public var credentials: [String: String] = [:]

        /// Statuses whose partners may connect.
        public static let connectable: Set<String> = ["joining", "member", "exiting"]
        public var mayConnect: Bool { Self.connectable.contains(status) }
    }

    /// Who a connection authenticated as.
    public struct Identity: Sendable, Equatable {
        public let code: String
        public let user: String
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let listeners = Mutex<[@Sendable (String) -> Void]>([])

    public init() {}

    /// Calls `listener` with a partner's code whenever what is known of it changes.
    public func onChange(_ listener: @escaping @Sendable (String) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// The partner, if known.
    public func entry(_ code: String) -> Entry? { entries.withLock { $0[code] } }

    /// Changes one partner (creating it when `create` is given) and tells the listeners.
    func update(_ code: String, create: Entry? = nil, _ change: (inout Entry) -> Void) {
        let changed = entries.withLock { entries -> Bool in
            guard var entry = entries[code] ?? create else { return false }
            change(&entry)
            entries[code] = entry
            return true
        }
        if changed { listeners.withLock { $0 }.forEach { $0(code) } }
    }

    /// The partner a token belongs to, if it may connect. Every partner's token hash is compared
    /// in constant time, so how long it takes tells nothing of how close a guess came.
    public func authenticate(token: String) -> Identity? {
        let hash = SecretHasher.hashToken(token)
        return entries.withLock { entries in
            var found: Identity?
            for entry in entries.values {
                if let stored = entry.credentials[""], SecretHasher.equal(stored, hash), entry.mayConnect {
                    found = Identity(code: entry.code, user: "")
                }
            }
            return found
        }
    }

    /// The partner an nkey belongs to, if it may connect and `signature` signs `nonce` with it.
    /// An nkey credential is stored under the key itself, as both its user and its "hash".
    public func authenticate(nkey: String, signature: String, nonce: String) -> Identity? {
        let owner = entries.withLock { entries in
            entries.values.first { entry in entry.mayConnect && entry.credentials[nkey].map { SecretHasher.equal($0, nkey) } == true }
        }
        guard let owner, NKey.verify(publicKey: nkey, signature: signature, nonce: nonce) else { return nil }
        return Identity(code: owner.code, user: nkey)
    }

    /// The partner a user and password belong to, if it may connect.
    public func authenticate(user: String, password: String) -> Identity? {
        let candidate = entries.withLock { entries in
            entries.values.first { $0.mayConnect && $0.credentials[user] != nil }
        }
        guard let candidate, let hash = candidate.credentials[user], SecretHasher.verify(password, against: hash) else { return nil }
        return Identity(code: candidate.code, user: user)
    }

    /// Whether `identity` still holds: partner may connect and the credential it used is unchanged.
    public func stillValid(_ identity: Identity, credentialHash: String?) -> Bool {
        guard let entry = entry(identity.code), entry.mayConnect else { return false }
        return entry.credentials[identity.user] == credentialHash
    }
}
