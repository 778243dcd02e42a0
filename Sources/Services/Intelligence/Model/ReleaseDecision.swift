import Contracts
import GRDB

/// A decision to release a report to a partner beyond its label, or to refuse it.
public struct ReleaseDecision: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "release_decision"

    public enum Decision: String, Codable, Sendable, CaseIterable { case granted, denied }

    public var report: String
    public var partner: String
    public var decision: Decision
    public var reason: String
    public var decidedAt: String
}
