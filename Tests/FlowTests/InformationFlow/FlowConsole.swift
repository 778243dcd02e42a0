import Console
import Foundation
import Logging
import Synchronization

/// The partners of a run in a browser, as the console serves them: a console in front of the
/// run's gateway, each partner signed in with its token and holding one live WebSocket. Every
/// WebSocket message and every map layer the console serves a partner is scanned like the rest.
/// A partner whose drawn permissions do not let it ask the registry for its own record cannot
/// sign in (docs/console.md) and is left out.
final class FlowConsole: Sendable {
    private let service: ConsoleService
    private let run: Task<Void, any Error>
    private let client: ConsoleClient
    /// A signed-in partner and what its WebSocket received.
    struct Session: Sendable {
        let partner: String
        let cookie: String
        let socket: Task<Void, any Error>
        let texts: Texts
    }

    final class Texts: Sendable {
        let received = Mutex<[String]>([])
    }

    private let sessions: [Session]
    /// WebSocket messages the partners received (counted at `finish`).
    let webSocketMessages = Atomic<Int>(0)
    /// The layers asked of the console for each partner at the end of a run: the alert layer, the
    /// one the console's map adds tearlines to. (The scenarios ask every export through the
    /// gateway; the console passes them on as they come.)
    static let layers = ["intelligence/alert?format=geojson", "intelligence/alert?format=cap"]

    private init(service: ConsoleService, run: Task<Void, any Error>, client: ConsoleClient,
                 sessions: [Session]) {
        self.service = service
        self.run = run
        self.client = client
        self.sessions = sessions
    }

    static func start(gatewayPort: Int, partners: [String], token: (String) -> String) async throws -> FlowConsole {
        var configuration = ConsoleConfiguration()
        configuration.port = 0
        configuration.gatewayPort = gatewayPort
        configuration.logger = Logger(label: "test.console")
        let service = ConsoleService(configuration: configuration)
        let run = Task { try await service.run() }
        let client = ConsoleClient(host: "127.0.0.1", port: try await service.waitUntilReady())
        var sessions: [Session] = []
        for partner in partners {
            let cookie: String
            do {
                cookie = try await client.signIn(partner: partner, token: token(partner))
            } catch {
                print("console sign-in of \(partner) refused: \(error)")
                continue
            }
            let texts = Texts()
            let socket = Task {
                do {
                    try await client.live(cookie: cookie, logger: configuration.logger) { text in texts.received.withLock { $0.append(text) } }
                } catch where !(error is CancellationError) {
                    print("console WebSocket of \(partner) ended: \(error)")
                    throw error
                }
            }
            sessions.append(Session(partner: partner, cookie: cookie, socket: socket, texts: texts))
        }
        // The sockets are open once the console has attached them to their sessions.
        try await Task.sleep(for: .milliseconds(300))
        return FlowConsole(service: service, run: run, client: client, sessions: sessions)
    }

    /// Partners signed in.
    var partners: [String] { sessions.map(\.partner) }

    /// What each signed-in partner received over its WebSocket, and the layers the console
    /// serves it now; then the console stops.
    func finish() async throws -> [(partner: String, lines: [String], messages: Int)] {
        var received: [(partner: String, lines: [String], messages: Int)] = []
        for session in sessions {
            var lines: [String] = []
            for layer in Self.layers {
                let reply = try await client.get("/api/export/\(layer)", cookie: session.cookie)
                lines.append(reply.body)
            }
            session.socket.cancel()
            _ = await session.socket.result
            let texts = session.texts.received.withLock { $0 }
            webSocketMessages.add(texts.count, ordering: .relaxed)
            received.append((session.partner, texts + lines, texts.count + lines.count))
        }
        run.cancel()
        _ = await run.result
        return received
    }
}
