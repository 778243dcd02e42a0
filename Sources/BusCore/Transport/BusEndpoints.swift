/// Where the proxy listens. Publishers connect to `publish`, subscribers to `subscribe`, and the
/// recorder taps `capture`.
public struct BusEndpoints: Sendable, Equatable, Codable {
    /// The proxy's XSUB side, e.g. `tcp://127.0.0.1:7701`.
    public var publish: String
    /// The proxy's XPUB side, e.g. `tcp://127.0.0.1:7702`.
    public var subscribe: String
    /// The proxy's capture PUB socket carrying a copy of every message, e.g. `tcp://127.0.0.1:7703`.
    public var capture: String

    public init(publish: String, subscribe: String, capture: String) {
        self.publish = publish
        self.subscribe = subscribe
        self.capture = capture
    }

    /// Endpoints on `host` with the default ports 7701, 7702, 7703.
    public static func tcp(host: String = "127.0.0.1", basePort: Int = 7701) -> BusEndpoints {
        BusEndpoints(
            publish: "tcp://\(host):\(basePort)",
            subscribe: "tcp://\(host):\(basePort + 1)",
            capture: "tcp://\(host):\(basePort + 2)"
        )
    }

    /// ZeroMQ `inproc://` endpoints for parts in one process sharing one `ZMQContext`: no TCP,
    /// no I/O thread between them.
    public static func inProcess(_ name: String = "concord") -> BusEndpoints {
        BusEndpoints(publish: "inproc://\(name)-publish", subscribe: "inproc://\(name)-subscribe",
                     capture: "inproc://\(name)-capture")
    }

    /// The same endpoints with a wildcard host, for binding (`tcp://127.0.0.1:7701` → `tcp://*:7701` when `host` is `*`).
    public func bindable(host: String) -> BusEndpoints {
        func swap(_ endpoint: String) -> String {
            guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return endpoint }
            return "tcp://\(host)" + endpoint[colon...]
        }
        return BusEndpoints(publish: swap(publish), subscribe: swap(subscribe), capture: swap(capture))
    }
}

/// One message as it travels the bus: the topic frame and the envelope bytes.
public struct BusMessage: Sendable {
    public let topic: String
    public let payload: [UInt8]

    public init(topic: String, payload: [UInt8]) {
        self.topic = topic
        self.payload = payload
    }
}
