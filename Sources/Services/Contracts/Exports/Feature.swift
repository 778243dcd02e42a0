import Geography

/// One thing on a map layer: where it is and what the layer says of it, in order.
public struct Feature: Sendable, Equatable {
    public var id: String
    public var name: String
    public var geometry: Geometry
    public var properties: [Property]

    public struct Property: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(id: String, name: String, geometry: Geometry, properties: [Property]) {
        self.id = id
        self.name = name
        self.geometry = geometry
        self.properties = properties
    }
}
