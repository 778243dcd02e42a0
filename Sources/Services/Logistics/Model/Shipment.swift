import Contracts
import GRDB
import ServiceKit

/// Goods on their way to a request: in process → sent → received, or returned.
public struct Shipment: StatefulRecord, Equatable {
    public static let databaseTableName = "shipment"
    public static let keyField = "shipment"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case inProcess = "in-process"
        case sent, received, returned
    }

    public enum Transport: String, Codable, Sendable, CaseIterable { case road, air, river, sea }

    public var shipment: String
    public var request: String
    public var pledge: String?
    /// The shipping partner.
    public var partner: String
    public var requester: String
    public var items: [Item]
    public var driver: String
    public var vehicle: String
    public var transport: Transport
    public var status: Status

    public var key: String { shipment }
    public var label: Label { Label(.unclassified, releasableTo: Array(Set([partner, requester])).sorted()) }
    public static let labelRule = "unclassified, releasable to the shipping partner and the requester"

    public static let lifecycle = Lifecycle<Status>("shipment", [
        .init("send", from: [.inProcess], to: .sent, event: "sent"),
        .init("receive", from: [.sent], to: .received, event: "received"),
        .init("return", from: [.sent], to: .returned, event: "returned"),
    ])
}
