import Contracts
import GRDB
import ServiceKit

/// A partner's offer against a request: offered → accepted or declined.
public struct Pledge: StatefulRecord, Equatable {
    public static let databaseTableName = "pledge"
    public static let keyField = "pledge"

    public enum Status: String, Codable, Sendable, CaseIterable { case offered, accepted, declined }

    public var pledge: String
    public var request: String
    /// The pledging partner.
    public var partner: String
    /// The requesting partner, so both see the pledge.
    public var requester: String
    public var items: [Item]
    public var status: Status

    public var key: String { pledge }
    public var label: Label { Label(.unclassified, releasableTo: Array(Set([partner, requester])).sorted()) }
    public static let labelRule = "unclassified, releasable to the pledging partner and the requester"

    public static let lifecycle = Lifecycle<Status>("pledge", [
        .init("accept", from: [.offered], to: .accepted, event: "accepted"),
        .init("decline", from: [.offered], to: .declined, event: "declined"),
    ])
}
