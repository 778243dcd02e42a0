import BusCore
import Console
import Logging
import Synchronization

/// The health of the parts in this process, judged from the bus: the proxy answers this
/// process's own probe, and every service here has been heard (its heartbeat crossed the bus)
/// within three heartbeat intervals (at least two seconds).
final class BusHealth: Sendable {
    let endpoints: BusEndpoints
    let context: ZMQContext
    let services: [String]
    let interval: Duration
    let security: BusSecurity
    private let heard = HeartbeatBook()
    /// Connected on the first check that finds the proxy; until then the bus is reported unreachable.
    private let connection = Mutex<BusConnection?>(nil)

    init(endpoints: BusEndpoints, context: ZMQContext, security: BusSecurity, services: [String], heartbeatInterval: Duration) {
        self.security = security
        self.endpoints = endpoints
        self.context = context
        self.services = services
        interval = heartbeatInterval
    }

    /// Connects now (the operations server does at start), so heartbeats are heard before the first check.
    func connect() async -> Bool { await connected() != nil }

    private func connected() async -> BusConnection? {
        if let connection = connection.withLock({ $0 }) { return connection }
        var configuration = BusConnection.Configuration(endpoints: endpoints)
        configuration.readyTimeout = .seconds(2)
        configuration.logger = Logger(label: "concord.operations")
        configuration.security = security
        guard let fresh = try? await BusConnection.connect(configuration, context: context) else { return nil }
        fresh.subscribe(Heartbeat.type)
        let heard = heard
        Task {
            for await message in fresh.messages { heard.record(message) }
        }
        let kept = connection.withLock { current in
            if current == nil { current = fresh }
            return current!
        }
        if kept !== fresh { await fresh.close() }
        return kept
    }

    func check() async -> OperationsServer.Health {
        var lines: [String] = []
        let bus = await connected()
        let answers = await bus?.ping() ?? false
        lines.append("bus: \(answers ? "answers" : "no answer from the proxy at \(endpoints.publish)")")
        var healthy = answers
        let seen = heard.latest
        // Three heartbeats, and never under two seconds: on a busy host a short interval's
        // beat can be late without the service being down.
        let window = max(interval * 3, .seconds(2))
        for service in services {
            let last = seen["concord/\(service)"]?.at
            let fresh = last.map { ContinuousClock.now - $0 < window } ?? false
            healthy = healthy && fresh
            lines.append("\(service): \(fresh ? "heard" : "not heard within \(window)")")
        }
        return OperationsServer.Health(healthy: healthy, lines: lines)
    }

    /// The operator page's table: `concord status`'s rows, with each part's health judged by
    /// how recently it was heard.
    func statusRows() async -> [[String]] {
        let answers = await connected()?.ping() ?? false
        let seen = heard.latest
        let window = max(interval * 3, .seconds(2))
        var rows = StatusCommand.rows(seen.mapValues(\.beat), expected: services.map { "concord/\($0)" })
        rows[0][1] = answers ? "up" : "NO ANSWER from the proxy"
        for index in rows.indices.dropFirst() where rows[index][1] == "up" {
            if let at = seen["concord/\(rows[index][0])"]?.at, ContinuousClock.now - at >= window {
                rows[index][1] = "NOT HEARD within \(window)"
            }
        }
        return rows
    }

    /// The same rows for the console's operator page.
    func operatorRows() async -> [ConsoleConfiguration.StatusRow] {
        await statusRows().map { ConsoleConfiguration.StatusRow(part: $0[0], health: $0[1], sequence: $0[2], lag: $0[3], deadLetters: $0[4]) }
    }

    func stop() async {
        guard let bus = connection.withLock({ $0 }) else { return }
        bus.finishReceiving()
        await bus.close()
    }
}
