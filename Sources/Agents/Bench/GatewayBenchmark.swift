import BusCore
import Foundation
import Glibc
import Synchronization

/// `concord bench gateway`: a real `concord up` and a real `nats-server`, driven by the same
/// C load client over loopback with 256-byte payloads, releasability filtering on. The client
/// reads and writes at the machine's limit, so the NATS column is nats-server's own figure.
public struct GatewayBenchmark: Sendable {
    /// One case's figures: Concord's, nats-server's, and Concord / NATS.
    public struct Figures: Codable, Sendable {
        public var concord: Double
        public var nats: Double
        public var ratio: Double
        public var unit: String
    }

    public struct Latency: Codable, Sendable {
        public var concord_p50_ms: Double
        public var concord_p99_ms: Double
        public var nats_p50_ms: Double
        public var nats_p99_ms: Double
        /// The same query sent straight over the bus (no gateway): where the time goes.
        public var bus_only_p50_ms: Double
        public var bus_only_p99_ms: Double
        /// Concord p99 / NATS p99.
        public var p99_ratio: Double
    }

    public struct Result: Codable, Sendable {
        public var payload_bytes = 256
        /// Who reads and writes for every case: the C load client (Sources/Agents/CBenchReference).
        public var load_client = "c"
        public var a_one_to_one: Figures
        public var b_fan_out: Figures
        public var fan_out_connections: Int
        /// A partner's PUB becoming an envelope on the bus, against a nats-server publish that
        /// one subscriber receives, measured on its own.
        public var c_partner_publish: Figures
        public var d_request_latency: Latency
    }

    public var concordBinary: String
    public var natsServer: String
    public var messages: Int
    public var fanOut: Int
    public var requests: Int
    public var scratch: URL
    public var limits: BenchLimits
    /// The services' message types, so the bench partner's commands go at their current versions.
    public var catalog: MessageCatalog
    public var keys: BenchKeys

    public init(concordBinary: String, natsServer: String, messages: Int, fanOut: Int, requests: Int, scratch: URL,
                limits: BenchLimits = BenchLimits(), catalog: MessageCatalog, keys: @escaping BenchKeys) {
        self.catalog = catalog
        self.keys = keys
        self.concordBinary = concordBinary
        self.natsServer = natsServer
        self.messages = messages
        self.fanOut = fanOut
        self.requests = requests
        self.scratch = scratch
        self.limits = limits
    }

    static let token = "bench-token-0123456789abcdef"
    static let payload = Array(String(repeating: "x", count: 256).utf8)
    static let jsonPayload = Array((#"{"text":""# + String(repeating: "x", count: 245) + #""}"#).utf8)
    /// In flight at most, for every case, for both servers.
    static let window = 4_000

    public func run() async throws -> Result {
        let (concord, ready) = try await ChildProcess.startConcord(
            // Case (b) signs the bench partner in once per subscriber: above the default per-partner limit.
            concordBinary, ["up", "--data", path("data"), "--bus-port", "0", "--gateway-port", "0", "--console-port", "off", "--metrics-port", "off",
                            "--log-level", "warning", "--max-connections-per-partner", "\(fanOut + 8)"],
            logPath: path("up.log"), readyFile: path("up.ready.json"))
        let (nats, natsPort) = try await Self.startNATS(natsServer, scratch: scratch)
        defer {
            concord.signal(SIGINT)
            nats.signal(SIGTERM)
        }
        guard let endpoints = ready.bus, let gatewayPort = ready.gatewayPort, let folder = ready.keys else {
            throw BenchFailure("concord up reported no bus, gateway or keys")
        }
        let context = try ZMQContext()
        // The bench speaks on the bus as who would: the operator registers the partner, the
        // logistics service publishes the events, the gateway's key counts partner messages.
        func connect(_ identity: String) async throws -> BusConnection {
            var configuration = BusConnection.Configuration(endpoints: endpoints)
            configuration.security = try keys(folder, identity)
            return try await BusConnection.connect(configuration, context: context)
        }
        let admin = try await connect("operator/admin")
        try await Self.registerBenchPartner(admin, catalog: catalog)
        let bus = try await connect("concord/logistics")
        let partnerMessages = try await connect(BusRights.gatewayIdentity)
        try await Task.sleep(for: .seconds(1))

        let a = Figures(concord: try await busToPartners(bus, gatewayPort: gatewayPort, connections: 1, events: messages, what: "bench gateway (a), Concord"),
                        nats: try await natsFanOut(port: natsPort, connections: 1, events: messages, what: "bench gateway (a), nats-server"), unit: "msg/s")
        let perConnection = max(messages / fanOut, 1_000)
        let b = Figures(concord: try await busToPartners(bus, gatewayPort: gatewayPort, connections: fanOut, events: perConnection, what: "bench gateway (b), Concord"),
                        nats: try await natsFanOut(port: natsPort, connections: fanOut, events: perConnection, what: "bench gateway (b), nats-server"),
                        unit: "deliveries/s")
        let c = Figures(concord: try await partnerPublish(partnerMessages, gatewayPort: gatewayPort),
                        nats: try await natsPublish(port: natsPort), unit: "msg/s")
        let d = try await latency(gatewayPort: gatewayPort, natsPort: natsPort, bus: admin)
        await admin.close()
        await bus.close()
        await partnerMessages.close()
        _ = await concord.waitForExit(timeout: .seconds(15))
        _ = await nats.waitForExit(timeout: .seconds(15))
        return Result(a_one_to_one: a, b_fan_out: b, fan_out_connections: fanOut, c_partner_publish: c, d_request_latency: d)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    /// (a) and (b): labelled events published on the bus, delivered to `connections` partner subscribers.
    private func busToPartners(_ bus: BusConnection, gatewayPort: Int, connections: Int, events: Int, what: String) async throws -> Double {
        let readers = try NATSReaders(port: gatewayPort, token: Self.token, subject: Self.eventType, connections: connections)
        defer { readers.stop() }
        try await Task.sleep(for: .milliseconds(300))
        var envelope = Envelope(id: "bench", source: "concord/logistics", type: Self.eventType, time: Timestamp.rfc3339(Date()),
                                dataVersion: 1, classification: "UNCLASSIFIED", releasableTo: ["BENCH"])
        envelope.data = Self.jsonPayload
        let bytes = EnvelopeCodec.encode(envelope)
        // With --fault lose-one, (a) leaves one event out.
        let lose = limits.fault == .loseOne && connections == 1
        let sent = Atomic<Int>(0)
        let rate = try await measureRate(total: events, chunk: 500, window: Self.window, limits: limits, what: what,
                                         arrivals: PolledArrivals { readers.least }) { count in
            for _ in 0..<count {
                let index = sent.add(1, ordering: .relaxed).oldValue
                if lose && index == 0 { continue }
                bus.publish(topic: Self.eventType, payload: bytes)
            }
        }
        return rate * Double(connections)
    }

    /// The events of (a) and (b): logistics' own topic, as only a service may publish events.
    static let eventType = "logistics.bench.sent"

    /// (a) and (b) on nats-server: one C publisher, `connections` C subscribers.
    private func natsFanOut(port: Int, connections: Int, events: Int, what: String) async throws -> Double {
        let readers = try NATSReaders(port: port, token: nil, subject: "bench.event.sent", connections: connections)
        defer { readers.stop() }
        let writer = try NATSWriter(port: port, token: nil)
        defer { writer.close() }
        let one = Array("PUB bench.event.sent \(Self.payload.count)\r\n".utf8) + Self.payload + [0x0D, 0x0A]
        let seconds = try await writer.send(one, total: events, window: Self.window, limits: limits, what: what) { readers.least }
        return Double(events) / seconds * Double(connections)
    }

    /// (c): a partner's PUB becomes a validated envelope on the bus, counted by a bus subscriber.
    private func partnerPublish(_ bus: BusConnection, gatewayPort: Int) async throws -> Double {
        bus.subscribe("partner.note.")
        defer { bus.unsubscribe("partner.note.") }
        try await Task.sleep(for: .milliseconds(200))
        let arrived = ArrivalCount()
        let writer = try NATSWriter(port: gatewayPort, token: Self.token)
        defer { writer.close() }
        let one = Array("PUB partner.note.posted \(Self.jsonPayload.count)\r\n".utf8) + Self.jsonPayload + [0x0D, 0x0A]
        let counting = Task { [messages, limits] in
            _ = try? await bus.messages.consume(stall: limits.stall, deadline: limits.deadline()) { message in
                if message.topic == "partner.note.posted" { arrived.add() }
                return arrived.value < messages
            }
        }
        defer { counting.cancel() }
        let seconds = try await writer.send(one, total: messages, window: Self.window, limits: limits,
                                            what: "bench gateway (c), Concord") { arrived.value }
        return Double(messages) / seconds
    }

    /// (c)'s reference: a nats-server publish that one subscriber receives.
    private func natsPublish(port: Int) async throws -> Double {
        let readers = try NATSReaders(port: port, token: nil, subject: "partner.note.posted", connections: 1)
        defer { readers.stop() }
        let writer = try NATSWriter(port: port, token: nil)
        defer { writer.close() }
        let one = Array("PUB partner.note.posted \(Self.jsonPayload.count)\r\n".utf8) + Self.jsonPayload + [0x0D, 0x0A]
        let seconds = try await writer.send(one, total: messages, window: Self.window, limits: limits,
                                            what: "bench gateway (c), nats-server") { readers.least }
        return Double(messages) / seconds
    }

    /// (d): sequential requests: a partner's query to the registry, against a NATS request to a responder.
    private func latency(gatewayPort: Int, natsPort: Int, bus: BusConnection) async throws -> Latency {
        let direct = CommandClient(connection: bus)
        let busOnly = try await durations(requests) {
            _ = try await direct.send("query.registry.partner.get", ["code": "BENCH"])
        }
        let partner = try await PartnerClient.connect(host: "127.0.0.1", port: gatewayPort, credentials: .init(token: Self.token))
        let concord = try await durations(requests) {
            _ = try await partner.request("query.registry.partner.get", payload: Array(#"{"code":"BENCH"}"#.utf8))
        }
        await partner.close()
        let responder = try await LoadConnection.open(port: natsPort, token: nil)
        responder.counter.replyPayload.withLock { $0 = Array(#"{"ok":true}"#.utf8) }
        try await responder.write(Array("SUB bench.request 1\r\n".utf8))
        try await responder.ping()
        let requester = try await PartnerClient.connect(host: "127.0.0.1", port: natsPort, credentials: .init())
        let nats = try await durations(requests) {
            _ = try await requester.request("bench.request", payload: Array("{}".utf8))
        }
        await requester.close()
        await responder.close()
        func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Latency(concord_p50_ms: percentile(concord, 0.5), concord_p99_ms: percentile(concord, 0.99),
                       nats_p50_ms: percentile(nats, 0.5), nats_p99_ms: percentile(nats, 0.99),
                       bus_only_p50_ms: percentile(busOnly, 0.5), bus_only_p99_ms: percentile(busOnly, 0.99),
                       p99_ratio: percentile(concord, 0.99) / max(percentile(nats, 0.99), .leastNonzeroMagnitude))
    }

    private func durations(_ count: Int, _ body: () async throws -> Void) async throws -> [Double] {
        for _ in 0..<min(count / 10, 100) { try await body() }  // warm-up
        var values: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            try await body()
            values.append((ContinuousClock.now - start).seconds * 1000)
        }
        return values.sorted()
    }

    /// Registers partner BENCH (cleared SECRET) with the bench token and its permissions.
    static func registerBenchPartner(_ bus: BusConnection, catalog: MessageCatalog,
                                     permissions: BenchPermissions = BenchPermissions()) async throws {
        let client = CommandClient(connection: bus, catalog: catalog)
        _ = try await client.send("cmd.registry.partner.register",
                                  ["code": "BENCH", "name": "Benchmark partner", "kind": "ngo", "clearance": "SECRET"])
        _ = try await client.send("cmd.registry.partner.admit", ["code": "BENCH"])
        _ = try await client.send("cmd.registry.credential.issue", ["partner": "BENCH", "kind": "token", "hash": SecretHasher.hashToken(token)])
        _ = try await client.send("cmd.registry.permissions.grant", permissions)
    }

    struct BenchPermissions: Encodable {
        var partner = "BENCH"
        var publish = ["partner.note.posted", "query.registry.>"]
        var subscribe = ["logistics.bench.>", "partner.note.*"]
    }

    /// Starts nats-server on a port it picks (`-p -1`) and reads that port from its ports file.
    public static func startNATS(_ binary: String, scratch: URL, arguments: [String] = [], goMaxProcs: String = "1") async throws -> (ChildProcess, Int) {
        let folder = scratch.appendingPathComponent("nats-ports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // One Go thread: on two cores shared with the load client, nats-server is fastest so
        // (measured here: 1.13 M msg/s one-to-one and 1.6–1.85 M deliveries/s to 100, against
        // 1.0 M and 1.2–1.35 M with GOMAXPROCS=2), and the reference is nats-server at its best.
        let nats = try await ChildProcess.start(binary, ["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", folder.path] + arguments,
                                                logPath: scratch.appendingPathComponent("nats.log").path,
                                                environment: ["GOMAXPROCS": goMaxProcs])
        let portsFile = folder.appendingPathComponent("nats-server_\(nats.pid).ports").path
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: portsFile),
               let ports = try? JSONDecoder().decode([String: [String]].self, from: data),
               let url = ports["nats"]?.first, let port = url.split(separator: ":").last.flatMap({ Int($0) }) {
                return (nats, port)
            }
            if nats.exitStatus != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchFailure("nats-server did not report its port: \(nats.output.suffix(1_000))")
    }
}

extension GatewayBenchmark.Figures {
    public init(concord: Double, nats: Double, unit: String) {
        self.init(concord: concord, nats: nats, ratio: concord / nats, unit: unit)
    }
}
