import Contracts
import Geography
import ServiceKit

/// The data of logistics' creating commands.
public enum LogisticsInputs {
    public struct CreateRequest: Codable, Sendable {
        public var request: String
        public var requester: String
        public var items: [Item]
        public var priority: SupplyRequest.Priority?
        public var destination: String
        public var neededBy: String
        public var needsTransport: Bool?
        public var needsSecurity: Bool?
    }

    public struct OfferPledge: Codable, Sendable {
        public var pledge: String
        public var request: String
        public var partner: String
        public var items: [Item]
    }

    public struct CreateShipment: Codable, Sendable {
        public var shipment: String
        public var request: String
        public var pledge: String?
        public var partner: String
        public var items: [Item]
        public var driver: String
        public var vehicle: String
        public var transport: Shipment.Transport
    }

    public struct DefineRoute: Codable, Sendable {
        public var route: String
        public var name: String
        public var areas: [String]
        /// The road as a LineString.
        public var path: Geometry?
    }

    public struct PlanConvoy: Codable, Sendable {
        public var convoy: String
        public var route: String
        public var partners: [String]
        public var request: String?
    }

    public struct AssignEscort: Codable, Sendable {
        public var convoy: String
        public var unit: String
    }

    public struct ReportPosition: Codable, Sendable {
        public var convoy: String
        public var position: Position
    }

    public struct ScheduleRotation: Codable, Sendable {
        public var rotation: String
        public var unit: String
        public var partner: String
        public var outDate: String
        public var inDate: String
    }

    /// Items must name something and ask for a positive quantity.
    static func check(_ items: [Item]) throws {
        guard !items.isEmpty else { throw CommandError(.invalidCommand, "items must not be empty") }
        for item in items {
            guard !item.item.isEmpty, !item.unit.isEmpty else { throw CommandError(.invalidCommand, "every item needs a name and a unit") }
            guard item.quantity > 0 else { throw CommandError(.invalidCommand, "quantity of '\(item.item)' must be positive") }
        }
    }

    /// `YYYY-MM-DD`.
    static func check(date: String, field: String) throws {
        let parts = date.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let month = Int(parts[1]), let day = Int(parts[2]), Int(parts[0]) != nil,
              (1...12).contains(month), (1...31).contains(day) else {
            throw CommandError(.invalidCommand, "\(field) '\(date)' is not a date (YYYY-MM-DD)")
        }
    }
}
