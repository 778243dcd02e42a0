/// Where the proxy listens. Publishers connect to `publish`, subscribers to `subscribe`, the
/// recorder taps `capture`, and the replayer plays cassettes into `replay`.
public struct BusEndpoints: Sendable, Equatable, Codable {
    /// The proxy's XSUB side, e.g. `tcp://127.0.0.1:7701`.
    public var publish: String
    /// The proxy's XPUB side, e.g. `tcp://127.0.0.1:7702`.
    public var subscribe: String
    /// The proxy's capture PUB socket carrying a copy of every message, e.g. `tcp://127.0.0.1:7703`.
    public var capture: String
    /// The proxy's replay ROUTER, e.g. `tcp://127.0.0.1:7704`: what arrives here is forwarded
    /// only as fast as every subscriber takes it (see `BusProxy`).
    public var replay: String

    public init(publish: String, subscribe: String, capture: String, replay: String) {
        self.publish = publish
        self.subscribe = subscribe
        self.capture = capture
        self.replay = replay
    }

    /// Endpoints on `host` with the default ports 7701–7704; `basePort` 0 lets the system pick
    /// free ports when binding (`BusProxy.endpoints` then tells which).
    public static func tcp(host: String = "127.0.0.1", basePort: Int = 7701) -> BusEndpoints {
        func port(_ offset: Int) -> String { basePort == 0 ? "*" : "\(basePort + offset)" }
        return BusEndpoints(
            publish: "tcp://\(host):\(port(0))",
            subscribe: "tcp://\(host):\(port(1))",
            capture: "tcp://\(host):\(port(2))",
            replay: "tcp://\(host):\(port(3))"
        )
    }

    /// Four system-picked ports on `host`, for binding.
    public static func anyPort(host: String = "127.0.0.1") -> BusEndpoints { tcp(host: host, basePort: 0) }

    /// ZeroMQ `inproc://` endpoints for parts in one process sharing one `ZMQContext`: no TCP,
    /// no I/O thread between them.
    public static func inProcess(_ name: String = "concord") -> BusEndpoints {
        BusEndpoints(publish: "inproc://\(name)-publish", subscribe: "inproc://\(name)-subscribe",
                     capture: "inproc://\(name)-capture", replay: "inproc://\(name)-replay")
    }

    /// On a secure bus, the in-process publish endpoint of one identity: inproc peers have no
    /// handshake to authenticate, so the proxy gives each local part its own publish socket and
    /// knows who sent a message by the socket it came in on.
    public func forIdentity(_ identity: String) -> BusEndpoints {
        guard publish.hasPrefix("inproc://") else { return self }
        var endpoints = self
        endpoints.publish += "@" + identity
        return endpoints
    }

    /// The same endpoints with another host, e.g. `*` for binding every interface
    /// (`tcp://127.0.0.1:7701` → `tcp://*:7701`) or `127.0.0.1` for reaching a wildcard bind.
    public func bindable(host: String) -> BusEndpoints {
        func swap(_ endpoint: String) -> String {
            guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return endpoint }
            return "tcp://\(host)" + endpoint[colon...]
        }
        return BusEndpoints(publish: swap(publish), subscribe: swap(subscribe), capture: swap(capture), replay: swap(replay))
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
