import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Gateway
import Logging
import ServiceKit
import Synchronization

/// The partners' side of a run, as partners meet it: a real gateway on the flow bed's bus, each
/// partner signed in over TCP twice with the access the pool drew (one connection holds plain
/// subscriptions and sends the partner's requests, the other joins queue groups), and a
/// recording made with `--releasable-to` for each partner at its clearance; and a console in
/// front of the gateway, where each partner that may is signed in with a live WebSocket.
final class FlowGateway: Sendable {
    private let gateway: Task<Void, any Error>
    /// Each partner's two connections; the first sends its requests.
    let connections: [String: [WirePartner]]
    private let recordings: [(partner: String, recorder: Recorder, task: Task<Void, any Error>, path: String)]
    /// Stream messages the partners read through their durable feeds.
    let feedMessages = Atomic<Int>(0)
    /// The partners in a browser: a console in front of this gateway.
    let console: FlowConsole

    private init(gateway: Task<Void, any Error>, connections: [String: [WirePartner]],
                 recordings: [(partner: String, recorder: Recorder, task: Task<Void, any Error>, path: String)], console: FlowConsole) {
        self.gateway = gateway
        self.connections = connections
        self.recordings = recordings
        self.console = console
    }

    static func token(_ partner: String) -> String { "flow-token-\(partner)-0123456789" }

    /// Gives every partner a token and its permissions, starts the gateway and the recordings,
    /// and signs the partners in.
    static func start(bed: FlowBed, pool: PartnerPool) async throws -> FlowGateway {
        for code in PartnerPool.codes {
            let access = pool.access[code]!
            _ = try await bed.client.send("cmd.registry.credential.issue", JSONValue.object([
                "partner": .string(code), "kind": "token", "hash": .string(SecretHasher.hashToken(token(code)))]))
            _ = try await bed.client.send("cmd.registry.permissions.grant", JSONValue.object([
                "partner": .string(code), "publish": .array(access.publish.map(JSONValue.string)),
                "subscribe": .array(access.subscribe.map(JSONValue.string))]))
        }
        var recordings: [(partner: String, recorder: Recorder, task: Task<Void, any Error>, path: String)] = []
        for code in PartnerPool.codes {
            var configuration = Recorder.Configuration(capture: bed.bus.endpoints.capture, output: bed.folder.path("\(code).cassette"))
            configuration.releasableTo = code
            configuration.maxClassification = pool.clearances[code]!
            let recorder = Recorder(configuration: configuration, context: bed.bus.context)
            recordings.append((code, recorder, Task { try await recorder.run() }, configuration.output))
            try await recorder.waitUntilReady()
        }
        var configuration = GatewayConfiguration(endpoints: bed.bus.endpoints, catalog: FlowBed.catalog)
        configuration.port = 0
        configuration.logger = Logger(label: "test.gateway")
        configuration.feeds = FeedConfiguration(databasePath: bed.folder.path("gateway.sqlite"))
        let service = GatewayService(configuration: configuration, context: bed.bus.context)
        let gateway = Task { try await service.run() }
        let port = try await service.waitUntilReady()
        try await service.waitUntilHeard(FlowBed.domains.map(\.name))
        var connections: [String: [WirePartner]] = [:]
        for code in PartnerPool.codes {
            let access = pool.access[code]!
            let first = try await signIn(port: port, partner: code), second = try await signIn(port: port, partner: code)
            first.subscribe("_INBOX.\(code).*", sid: 1)
            for (index, subject) in access.plain.enumerated() { first.subscribe(subject, sid: 10 + index) }
            for (index, (subject, queue)) in access.queued.enumerated() { second.subscribe(subject, queue: queue, sid: 10 + index) }
            try await first.flush()
            try await second.flush()
            connections[code] = [first, second]
        }
        let console = try await FlowConsole.start(gatewayPort: port, partners: PartnerPool.codes, token: token)
        return FlowGateway(gateway: gateway, connections: connections, recordings: recordings, console: console)
    }

    /// Signs in, again for a moment if the gateway's directory has not yet heard the token:
    /// its readiness follows the registry's last heartbeat, which may predate the token.
    private static func signIn(port: Int, partner: String) async throws -> WirePartner {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try await WirePartner.connect(port: port, partner: partner, token: token(partner))
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// A partner's request, sent on its first connection.
    func request(_ partner: String, _ type: String, payload: [UInt8]) async throws {
        try await connections[partner]![0].request(type, payload: payload)
    }

    /// What each partner received, one line at a time: over its connections (every delivery,
    /// reply and error) and in its redacted recording. Ends the recordings and the gateway.
    func finish() async throws -> [(partner: String, lines: [String], messages: Int)] {
        // The feeds index what the journals hold as it passes: give the last events a moment.
        try await Task.sleep(for: .seconds(1))
        for wires in connections.values {
            feedMessages.add(try await wires[0].readFeeds(FeedStream.mission.map(\.name)), ordering: .relaxed)
        }
        var received = try await console.finish()
        for (partner, wires) in connections {
            for wire in wires {
                received.append((partner, wire.text.components(separatedBy: "\r\n"), wire.deliveries))
                await wire.close()
            }
        }
        for recording in recordings {
            recording.recorder.stop()
            _ = try await recording.recorder.summary
            _ = await recording.task.result
            let lines = try String(contentsOfFile: recording.path, encoding: .utf8).split(separator: "\n").map(String.init)
            received.append((recording.partner, lines, max(lines.count - 1, 0)))
        }
        gateway.cancel()
        _ = await gateway.result
        return received
    }
}
