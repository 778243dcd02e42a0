import BusCore
import Contracts

/// The data of the registry's commands, queries and events.
public enum RegistryMessages {
    public struct RegisterPartner: Codable, Sendable {
        public var code: String
        public var name: String
        public var kind: Partner.Kind
        public var clearance: Classification
        public init(code: String, name: String, kind: Partner.Kind, clearance: Classification) {
            self.code = code; self.name = name; self.kind = kind; self.clearance = clearance
        }
    }

    /// Names a partner for a membership transition.
    public struct PartnerTransition: Codable, Sendable {
        public var code: String
        public var reason: String?
        public init(code: String, reason: String? = nil) { self.code = code; self.reason = reason }
    }

    /// Version 2: the secret's hash only (`SecretHasher`), made where the secret was chosen,
    /// so no secret crosses the bus in clear. Version 1 carried the secret and is refused.
    public struct IssueCredential: Codable, Sendable {
        public var partner: String
        public var kind: Credential.Kind
        public var user: String?
        public var hash: String
        public init(partner: String, kind: Credential.Kind, user: String? = nil, hash: String) {
            self.partner = partner; self.kind = kind; self.user = user; self.hash = hash
        }

        public static let minimumTokenLength = 16
        public static let minimumPasswordLength = 8

        /// The command for a token or password chosen here: checked for length and hashed, on the
        /// sender's side (the registry sees only the hash and cannot check it).
        public static func hashing(partner: String, kind: Credential.Kind, user: String? = nil, secret: String) throws -> IssueCredential {
            switch kind {
            case .nkey:
                // A public key, not a secret: sent as it is.
                return IssueCredential(partner: partner, kind: .nkey, hash: secret)
            case .token:
                guard secret.count >= minimumTokenLength else { throw TooShort(what: "a token", minimum: minimumTokenLength) }
                return IssueCredential(partner: partner, kind: .token, hash: SecretHasher.hashToken(secret))
            case .password:
                guard secret.count >= minimumPasswordLength else { throw TooShort(what: "a password", minimum: minimumPasswordLength) }
                return IssueCredential(partner: partner, kind: .password, user: user, hash: SecretHasher.hashPassword(secret))
            }
        }

        public struct TooShort: Error, CustomStringConvertible {
            public let what: String
            public let minimum: Int
            public var description: String { "\(what) must be at least \(minimum) characters" }
        }

        /// Version 1 → 2 is refused: version 1 carried the secret itself, in clear on the bus.
        static let refuseClearSecret: Upcaster = { _ in
            throw TooOld()
        }

        struct TooOld: Error, CustomStringConvertible {
            var description: String {
                "version 1 carried the secret in clear on the bus and is refused; send version 2 with its hash "
                    + "(`concord partner add` and `concord partner credential` hash it where it is chosen)"
            }
        }
    }

    public struct RevokeCredential: Codable, Sendable {
        public var partner: String
        public var user: String?
    }

    public struct RegisterUnit: Codable, Sendable {
        public var unit: String
        public var partner: String
        public var type: MissionUnit.UnitType
        public var strength: Int
        public var readiness: MissionUnit.Readiness?
        public var availability: MissionUnit.Availability?
        public var location: MissionUnit.Location
        public init(unit: String, partner: String, type: MissionUnit.UnitType, strength: Int,
                    readiness: MissionUnit.Readiness? = nil, availability: MissionUnit.Availability? = nil,
                    location: MissionUnit.Location) {
            self.unit = unit; self.partner = partner; self.type = type; self.strength = strength
            self.readiness = readiness; self.availability = availability; self.location = location
        }
    }

    public struct UpdateUnit: Codable, Sendable {
        public var unit: String
        public var strength: Int?
        public var readiness: MissionUnit.Readiness?
        public var availability: MissionUnit.Availability?
        public var location: MissionUnit.Location?
        public init(unit: String, strength: Int? = nil, readiness: MissionUnit.Readiness? = nil,
                    availability: MissionUnit.Availability? = nil, location: MissionUnit.Location? = nil) {
            self.unit = unit; self.strength = strength; self.readiness = readiness
            self.availability = availability; self.location = location
        }
    }

    public struct GetPartner: Codable, Sendable {
        public var code: String
    }

    public struct PartnerDetails: Codable, Sendable, Equatable {
        public var partner: Partner
        public var permissions: PermissionSet?
        public var credentials: [CredentialSummary]
    }

    public struct ListPartners: Codable, Sendable {
        public var status: Membership?
    }

    public struct PartnerList: Codable, Sendable, Equatable {
        public var partners: [Partner]
    }

    public struct ListUnits: Codable, Sendable {
        public var type: MissionUnit.UnitType?
        public var readiness: MissionUnit.Readiness?
        /// Only units whose availability is `available`.
        public var available: Bool?
        public var partner: String?
        /// Paging (`Paging`): the `next` unit of the previous page, and how many at most.
        public var after: String?
        public var limit: Int?
        public init(type: MissionUnit.UnitType? = nil, readiness: MissionUnit.Readiness? = nil, available: Bool? = nil, partner: String? = nil) {
            self.type = type; self.readiness = readiness; self.available = available; self.partner = partner
        }
    }

    public struct UnitList: Codable, Sendable, Equatable {
        public var units: [MissionUnit]
        /// The unit to ask `after` for the next page, when there are more.
        public var next: String?
        public init(units: [MissionUnit], next: String? = nil) {
            self.units = units
            self.next = next
        }
    }
}
