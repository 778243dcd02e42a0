import BusCore
import ConcordTestSupport
import Foundation
import Testing

/// The bus as an attacker meets it: raw ZeroMQ sockets with no key, an unknown key, or a
/// part's valid key used beyond its rights.
@Suite("Bus security: CURVE, ZAP and rights at the proxy")
struct BusSecurityTests {
    /// A secure proxy with keys for a small mission: intelligence, logistics (following
    /// intelligence), the gateway and operator admin.
    final class SecureBus: Sendable {
        let folder: TemporaryFolder
        let keyring: BusKeyring
        let rights: BusRights
        let bus: TestBus

        init() async throws {
            folder = try TemporaryFolder()
            let follow = Consumer.Follow(source: "concord/intelligence", topicPrefix: "intelligence.")
            rights = BusRights.mission(services: [.init(name: "intelligence", follows: []), .init(name: "logistics", follows: [follow])],
                                       operators: ["admin"])
            keyring = try BusKeyring.create(folder: folder.path("keys"), identities: [
                BusSecurity.busIdentity, "concord/intelligence", "concord/logistics", BusRights.gatewayIdentity, "operator/admin",
            ]).keyring
            let busSecurity = try BusSecurity.load(folder: folder.path("keys"), identity: BusSecurity.busIdentity, rights: rights)
            bus = try await TestBus { $0.security = busSecurity }
        }

        func security(_ identity: String) throws -> BusSecurity {
            try BusSecurity.load(folder: folder.path("keys"), identity: identity, rights: rights)
        }

        func connect(_ identity: String, catchUp: Bool = false) async throws -> BusConnection {
            var configuration = BusConnection.Configuration(endpoints: bus.endpoints, catchUpBind: catchUp ? "tcp://127.0.0.1:*" : nil)
            configuration.security = try security(identity)
            return try await BusConnection.connect(configuration, context: bus.context)
        }

        /// Security for a key the mission does not know.
        func stranger() throws -> BusSecurity {
            BusSecurity(identity: "stranger", keyPair: try CurveKeyPair.generate(), keyring: keyring, rights: rights)
        }
    }

    static func event(_ type: String, source: String, sequence: Int64? = nil) -> [UInt8] {
        var envelope = Envelope(id: RandomID.uuid(), source: source, type: type)
        envelope.sequence = sequence
        return EnvelopeCodec.encode(envelope)
    }

    /// Every message `connection` receives within `window`.
    static func received(_ connection: BusConnection, within window: Duration = .milliseconds(600)) async -> [BusMessage] {
        var messages: [BusMessage] = []
        while let message = await connection.messages.next(timeout: window) { messages.append(message) }
        return messages
    }

    @Test("a service publishes its own events; another service's topic or source, or a partner's command, is refused and counted")
    func publishRights() async throws {
        let mission = try await SecureBus()
        let logistics = try await mission.connect("concord/logistics")
        let gateway = try await mission.connect(BusRights.gatewayIdentity)
        gateway.subscribe("")  // narrowed to what the gateway may read
        try await Task.sleep(for: .milliseconds(200))

        logistics.publish(topic: "logistics.convoy.halted", payload: Self.event("logistics.convoy.halted", source: "concord/logistics"))
        logistics.publish(topic: "intelligence.alert.raised", payload: Self.event("intelligence.alert.raised", source: "concord/intelligence", sequence: 7))
        logistics.publish(topic: "logistics.route.at-risk", payload: Self.event("logistics.route.at-risk", source: "concord/intelligence"))
        logistics.publish(topic: Heartbeat.type, payload: Self.event(Heartbeat.type, source: "concord/intelligence"))
        logistics.publish(topic: "cmd.registry.credential.issue", payload: Self.event("cmd.registry.credential.issue", source: "partner/NLD"))
        logistics.publish(topic: "logistics.request.created", payload: Array(#"{"source":"concord/intelligence","source":"concord/logistics"}"#.utf8))
        logistics.publish(topic: "logistics.request.closed", payload: Self.event("logistics.request.closed", source: "concord/logistics"))

        let topics = await Self.received(gateway).map(\.topic)
        #expect(topics == ["logistics.convoy.halted", "logistics.request.closed"])
        #expect(mission.bus.proxy.statistics.refused == 5)
        await logistics.close()
        await gateway.close()
        await mission.bus.stop()
    }

    @Test("without a known key nothing gets onto the bus or off it, and unknown keys are counted")
    func outsiders() async throws {
        let mission = try await SecureBus()
        let logistics = try await mission.connect("concord/logistics")
        logistics.subscribe("cmd.logistics.")
        let plain = try ZMQSocket(mission.bus.context, .pub)
        try plain.connect(mission.bus.endpoints.publish)
        let strangerPub = try ZMQSocket(mission.bus.context, .pub)
        try mission.stranger().connect(strangerPub, toServer: BusSecurity.busIdentity)
        try strangerPub.connect(mission.bus.endpoints.publish)
        let strangerSub = try ZMQSocket(mission.bus.context, .sub)
        try mission.stranger().connect(strangerSub, toServer: BusSecurity.busIdentity)
        try strangerSub.connect(mission.bus.endpoints.subscribe)
        try strangerSub.subscribe("")
        try strangerSub.setReceiveTimeout(milliseconds: 300)
        try await Task.sleep(for: .milliseconds(300))

        let forged = Self.event("cmd.logistics.request.create", source: "operator/admin")
        for socket in [plain, strangerPub] {
            for _ in 0..<5 { try socket.send([Array("cmd.logistics.request.create".utf8), forged]) }
        }
        let operatorConnection = try await mission.connect("operator/admin")
        operatorConnection.publish(topic: "cmd.logistics.request.create", payload: forged)

        let received = await Self.received(logistics)
        #expect(received.count == 1, "only the operator's own command arrives")
        #expect((try? strangerSub.receive(wait: true)) == nil, "a stranger's subscription to everything gets nothing")
        #expect(mission.bus.proxy.statistics.refusedConnections >= 2, "the strangers' keys were refused by ZAP")
        #expect(try await eventually { mission.bus.proxy.statistics.failedHandshakes >= 3 }, "and the plain socket's handshake failed too")
        #expect(mission.bus.proxy.statistics.forwarded >= 1)
        [plain, strangerPub, strangerSub].forEach { $0.close() }
        await operatorConnection.close()
        await logistics.close()
        await mission.bus.stop()
    }

    @Test("a valid key cannot read everything, another identity's inboxes or other services' commands")
    func readRights() async throws {
        let mission = try await SecureBus()
        let gatewayKey = try mission.security(BusRights.gatewayIdentity)
        let greedy = try ZMQSocket(mission.bus.context, .sub)
        try gatewayKey.connect(greedy, toServer: BusSecurity.busIdentity)
        try greedy.connect(mission.bus.endpoints.subscribe)
        for prefix in ["", "_INBOX.", BusRights.inboxPrefix(of: "operator/admin"), "cmd.", "query.logistics."] {
            try greedy.subscribe(prefix)
        }
        try greedy.setReceiveTimeout(milliseconds: 300)
        let logistics = try await mission.connect("concord/logistics")
        logistics.subscribe("cmd.logistics.")
        let admin = try await mission.connect("operator/admin")
        try await Task.sleep(for: .milliseconds(300))

        // The operator's command and logistics' answer on the operator's inbox: the greedy
        // socket holds the gateway's valid key, and sees neither.
        let command = Self.event("cmd.logistics.request.create", source: "operator/admin")
        admin.publish(topic: "cmd.logistics.request.create", payload: command)
        _ = await logistics.messages.next(timeout: .seconds(5))
        logistics.publish(topic: admin.inboxPrefix + "1", payload: Self.event("logistics.request.created", source: "concord/logistics"))
        #expect((try? greedy.receive(wait: true)) == nil)
        #expect(try await eventually { mission.bus.proxy.statistics.refusedSubscriptions == 5 })
        greedy.close()
        await logistics.close()
        await admin.close()
        await mission.bus.stop()
    }

    @Test("catch-up serves only the source's followers, and a follower takes answers only from the source's key")
    func catchUpRights() async throws {
        let mission = try await SecureBus()
        let intelligence = try await mission.connect("concord/intelligence", catchUp: true)
        let endpoint = try #require(intelligence.catchUpEndpoint)
        let server = Task {
            for await request in intelligence.catchUpRequests {
                intelligence.answer(request, with: CatchUpBatch(epoch: "e1", last: 1, through: 1,
                                                                envelopes: [Self.event("intelligence.alert.raised", source: "concord/intelligence", sequence: 1)]))
            }
        }
        let logistics = try await mission.connect("concord/logistics")
        let batch = try await logistics.fetch(from: endpoint, source: "concord/intelligence", after: 0, timeout: .seconds(10))
        #expect(batch.envelopes.count == 1)

        let refusedBefore = mission.bus.context.authenticator?.refused ?? 0
        let admin = try await mission.connect("operator/admin")
        await #expect(throws: BusError.self) {
            try await admin.fetch(from: endpoint, source: "concord/intelligence", after: 0, timeout: .milliseconds(800))
        }
        // A server at that endpoint that does not hold logistics' key is not logistics.
        await #expect(throws: BusError.self) {
            try await logistics.fetch(from: endpoint, source: "concord/logistics", after: 0, timeout: .milliseconds(800))
        }
        #expect((mission.bus.context.authenticator?.refused ?? 0) > refusedBefore)
        server.cancel()
        await admin.close()
        await logistics.close()
        intelligence.finishReceiving()
        await intelligence.close()
        await mission.bus.stop()
    }

    @Test("the proxy reads the first source, the only one a reader takes: an envelope naming an attribute twice is refused by the decoder")
    func firstSource() throws {
        func source(_ text: String) -> String? { Array(text.utf8).withUnsafeBytes { EnvelopeCodec.source(of: $0) } }
        #expect(source(#"{"id":"1","data":{"source":"concord/registry"},"source":"concord/logistics"}"#) == "concord/logistics")
        #expect(source(#"{"source":"concord/intelligence","source":"concord/logistics"}"#) == "concord/intelligence")
        #expect(source(#"{"source":["concord/logistics"]}"#) == nil)
        #expect(source(#"{"id":"1"}"#) == nil)
        #expect(source(#"{"source":"concord/logi"#) == nil)
        #expect(source(#"{"source":"concord\/logistics"}"#) == "concord/logistics")
        for twice in [#"{"specversion":"1.0","id":"1","source":"concord/logistics","type":"logistics.x","source":"concord/intelligence"}"#,
                      #"{"specversion":"1.0","id":"1","source":"concord/logistics","type":"logistics.x","data":{},"data":{}}"#,
                      #"{"specversion":"1.0","id":"1","source":"concord/logistics","type":"logistics.x","sequence":1,"sequence":2}"#] {
            #expect(throws: EnvelopeError.self) { try EnvelopeCodec.decode(Array(twice.utf8)) }
        }
    }

    @Test("key files are checked: a secret key that does not match the key list is refused")
    func keyFiles() throws {
        let folder = try TemporaryFolder()
        let keys = folder.path("keys")
        let first = try BusKeyring.create(folder: keys, identities: ["concord/bus", "operator/admin"])
        #expect(first.created == ["concord/bus", "operator/admin"])
        let again = try BusKeyring.create(folder: keys, identities: ["concord/bus", "operator/admin", "operator/duty"])
        #expect(again.created == ["operator/duty"])
        #expect(again.keyring.publicKeys["concord/bus"] == first.keyring.publicKeys["concord/bus"])
        // Swap two key files: each no longer matches its identity's public key.
        let bus = keys + "/concord.bus.key", admin = keys + "/operator.admin.key"
        let busData = try Data(contentsOf: URL(fileURLWithPath: bus))
        try Data(contentsOf: URL(fileURLWithPath: admin)).write(to: URL(fileURLWithPath: bus))
        try busData.write(to: URL(fileURLWithPath: admin))
        #expect(throws: CurveKeyError.self) { try again.keyring.keyPair(of: "concord/bus", folder: keys) }
        let attributes = try FileManager.default.attributesOfItem(atPath: keys + "/operator.duty.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
