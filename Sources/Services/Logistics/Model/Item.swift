/// A line of a request, pledge or shipment: so many units of an item.
public struct Item: Codable, Sendable, Equatable {
    public var item: String
    public var quantity: Int
    /// Unit of measure, e.g. `kg`, `litres`, `boxes`.
    public var unit: String

    public init(item: String, quantity: Int, unit: String) {
        self.item = item
        self.quantity = quantity
        self.unit = unit
    }
}
