import BusCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// The console: the live map, lists and forms in a browser, and the operator page. A partner's
/// browser is a client of the gateway's rules through the partner's own connection
/// (docs/console.md).
public final class ConsoleService: Service, Sendable {
    public let configuration: ConsoleConfiguration
    let book: SessionBook
    private let ready = ReadySignal<Int>()

    public init(configuration: ConsoleConfiguration) {
        self.configuration = configuration
        book = SessionBook(maxSessions: configuration.maxSessions, logger: configuration.logger)
    }

    /// The port the console listens on, once it does.
    public func waitUntilReady() async throws -> Int { try await ready.wait() }

    /// What /healthz says of the console.
    public func health() -> (healthy: Bool, line: String) {
        ready.isReady ? (true, "console: serving browsers, \(book.count) sessions") : (false, "console: not listening yet")
    }

    /// Sessions open now.
    public var sessionCount: Int { book.count }

    public func run() async throws {
        let leaflet = LeafletFiles(folder: configuration.leafletFolder)
        if !leaflet.isPresent {
            configuration.logger.warning("Leaflet not found: the map cannot draw (install Debian's libjs-leaflet)",
                                         metadata: ["console.leaflet": "\(configuration.leafletFolder)"])
        }
        await configuration.onStart?()
        let book = book
        let ready = ready
        let configuration = configuration
        let app = Application(
            router: ConsoleRoutes(configuration: configuration, book: book, leaflet: leaflet).router(),
            server: .http1WebSocketUpgrade { request, _, _ in await LiveSocket.shouldUpgrade(request, book: book) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { ready.succeed(port) }
            },
            logger: configuration.logger)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    // However the server ends, the sessions' jobs end with it, so the group does.
                    defer { book.closeJobs() }
                    do {
                        try await app.run()
                    } catch where !ready.isReady {
                        let failure = ListenError(what: "browsers (the console)", address: "\(configuration.host):\(configuration.port)", reason: "\(error)",
                                                  hint: "set --console-port (CONCORD_CONSOLE_PORT) to a free port, 0 for any free one, or off")
                        ready.fail(failure)
                        throw failure
                    }
                }
                group.addTask {
                    await cancelWhenGracefulShutdown {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(5))
                            await book.sweep()
                        }
                    }
                }
                // Each session's live feed and gateway watch run here until the session ends.
                for await job in book.jobs { group.addTask { await job() } }
                await book.endAll("the console is stopping")
            }
        } onGracefulShutdown: {
            book.closeJobs()
        }
    }
}
