/// The data of registry events that carry less than a whole record.

/// Reports a membership change.
public struct PartnerStatusChanged: Codable, Sendable, Equatable {
    public var code: String
    public var status: Membership
    public var previous: Membership
    public var reason: String?

    public init(code: String, status: Membership, previous: Membership, reason: String?) {
        self.code = code
        self.status = status
        self.previous = previous
        self.reason = reason
    }
}

/// A credential without its hash, as replies and queries show it.
public struct CredentialSummary: Codable, Sendable, Equatable {
    public var partner: String
    public var kind: Credential.Kind
    public var user: String
    public var issuedAt: String

    public init(partner: String, kind: Credential.Kind, user: String, issuedAt: String) {
        self.partner = partner
        self.kind = kind
        self.user = user
        self.issuedAt = issuedAt
    }
}
