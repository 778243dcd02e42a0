import Contracts
import GRDB

/// A named route through areas; at risk while an intelligence alert covers one of them.
public struct Route: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "route"

    public var route: String
    public var name: String
    public var areas: [String]
    public var atRisk: Bool
}
