import ArgumentParser
import BusCore
import Foundation
import Logging

/// `concord status`: one table of the parts heard on the bus — health, journal position, and
/// how far behind each is on what it follows — read from their heartbeats.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print every part's health, journal position and lag, as heard on the bus.",
        discussion: "Listens to heartbeats for --listen seconds. A service not heard in that time is shown as not heard. The gateway and the recorder send no heartbeats: ask their /healthz.")

    @Option(help: "Seconds to listen for heartbeats (a few heartbeat intervals).")
    var listen = 3.0

    @OptionGroup var bus: BusOptions

    func run() async throws {
        LogSetup.bootstrap(level: "error")
        var configuration = BusConnection.Configuration(endpoints: bus.endpoints)
        configuration.readyTimeout = .seconds(5)
        configuration.security = try bus.operatorSecurity()
        let connection: BusConnection
        do {
            connection = try await BusConnection.connect(configuration, context: try ZMQContext())
        } catch {
            print("bus  DOWN  \(error)")
            throw ExitCode(1)
        }
        connection.subscribe(Heartbeat.type)
        let heard = HeartbeatBook()
        let deadline = ContinuousClock.now + .milliseconds(Int(listen * 1000))
        while ContinuousClock.now < deadline {
            connection.messages.drainAvailable(max: 256).forEach(heard.record)
            try await Task.sleep(for: .milliseconds(50))
        }
        await connection.close()
        let rows = Self.table(heard.latest.mapValues(\.beat), expected: Parts.services.map { "concord/\($0.name)" })
        print(rows.joined(separator: "\n"))
        if rows.contains(where: { $0.contains("NOT HEARD") }) { throw ExitCode(1) }
    }

    /// The status table: the bus first, then each expected part and any other source heard.
    static func table(_ beats: [String: Heartbeat], expected: [String]) -> [String] {
        let rows = [["PART", "HEALTH", "SEQUENCE", "FOLLOWS (LAG)", "DEAD LETTERS"]] + Self.rows(beats, expected: expected)
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: $0 == 4 ? $1.count : widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
    }

    /// One row per part: name, health, journal position, lag on each source it follows, dead letters.
    static func rows(_ beats: [String: Heartbeat], expected: [String]) -> [[String]] {
        var rows = [["bus", "up", "-", "-", "-"]]
        for source in (expected + beats.keys.filter { !expected.contains($0) }.sorted()) {
            let name = source.split(separator: "/").last.map(String.init) ?? source
            guard let beat = beats[source] else {
                rows.append([name, "NOT HEARD", "-", "-", "-"])
                continue
            }
            let follows = (beat.cursors ?? [:]).sorted { $0.key < $1.key }.map { followed, position in
                let followedName = followed.split(separator: "/").last.map(String.init) ?? followed
                guard let last = beats[followed]?.last else { return "\(followedName) ?" }
                return "\(followedName) \(max(0, last - position))"
            }
            rows.append([name, "up", "\(beat.last)", follows.isEmpty ? "-" : follows.joined(separator: ", "),
                         beat.deadLetters.map(String.init) ?? "-"])
        }
        return rows
    }
}
