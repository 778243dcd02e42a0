import Contracts
import GRDB
import ServiceKit

/// A partner's request for supplies: draft → submitted → approved → partially fulfilled →
/// fulfilled, or rejected or cancelled (Sahana Eden's request workflow).
public struct SupplyRequest: StatefulRecord, Equatable {
    public static let databaseTableName = "supply_request"
    public static let keyField = "request"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case draft, submitted, approved
        case partiallyFulfilled = "partially-fulfilled"
        case fulfilled, rejected, cancelled
    }

    public enum Priority: String, Codable, Sendable, CaseIterable { case low, normal, high, critical }

    public var request: String
    /// The requesting partner's code.
    public var requester: String
    public var items: [Item]
    /// Quantities received so far, by item.
    public var received: [String: Int]
    public var priority: Priority
    public var destination: String
    /// `YYYY-MM-DD`.
    public var neededBy: String
    public var needsTransport: Bool
    public var needsSecurity: Bool
    public var status: Status

    public var key: String { request }
    public var label: Label { Label(.unclassified, releasableTo: [requester]) }
    public static let labelRule = "unclassified, releasable to the requester"

    public static let lifecycle = Lifecycle<Status>("request", [
        .init("submit", from: [.draft], to: .submitted, event: "submitted"),
        .init("approve", from: [.submitted], to: .approved, event: "approved"),
        .init("reject", from: [.submitted], to: .rejected, event: "rejected"),
        .init("cancel", from: [.draft, .submitted, .approved], to: .cancelled, event: "cancelled"),
    ])

    /// Whether every item has been received in full.
    var isComplete: Bool { items.allSatisfy { (received[$0.item] ?? 0) >= $0.quantity } }
}
