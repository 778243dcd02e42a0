import BusCore
import GRDB

/// A partner organisation of the mission.
public struct Partner: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "partner"

    /// What kind of organisation a partner is.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case unBody = "un-body"
        case regionalOrganisation = "regional-organisation"
        case troopContributingCountry = "troop-contributing-country"
        case ngo
    }

    /// Short code, e.g. `UNMISS`, `AU`, `NLD`: upper-case letters, digits, `-` or `_`, 2 to 16.
    public var code: String
    public var name: String
    public var kind: Kind
    /// The highest classification the partner may receive.
    public var clearance: Classification
    public var status: Membership

    /// Whether `code` is a well-formed partner code.
    public static func isValidCode(_ code: String) -> Bool {
        (2...16).contains(code.count) && code.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "-" || $0 == "_" }
            && code.allSatisfy(\.isASCII)
    }

    public init(code: String, name: String, kind: Kind, clearance: Classification, status: Membership) {
        self.code = code
        self.name = name
        self.kind = kind
        self.clearance = clearance
        self.status = status
    }
}
