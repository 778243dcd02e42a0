import Agents
import BusCore
import Foundation
import Glibc

/// A `concord` subprocess of the built binary, with its output in a log file. Long-running parts
/// bind port 0 and report what they got through `--ready-file`; nothing here picks a port in
/// advance. Killed when dropped, so a failing test leaves no process behind.
public final class ConcordProcess: Sendable {
    public let child: ChildProcess
    /// What the part reported once ready (nil for commands started without waiting).
    public let ready: ReadyReport?

    private init(child: ChildProcess, ready: ReadyReport?) {
        self.child = child
        self.ready = ready
    }

    /// The `concord` binary next to the test bundle (both live in the build folder).
    public static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().appendingPathComponent("concord").path,
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/concord").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[candidates.count - 1]
    }

    /// Starts a long-running part (`up`, `run <part>`) and waits until it is ready. Ports not
    /// given in `arguments` default to 0 (free ones) for `up`; the report says which it got.
    public static func start(_ arguments: [String], folder: TemporaryFolder, name: String,
                             environment: [String: String] = [:], timeout: Duration = .seconds(90)) async throws -> ConcordProcess {
        var arguments = arguments
        if arguments.first == "up" {
            for (option, value) in [("--bus-port", "0"), ("--gateway-port", "0"), ("--metrics-port", "0"), ("--console-port", "0")] where !arguments.contains(option) {
                arguments += [option, value]
            }
        }
        let (child, ready) = try await ChildProcess.startConcord(binary, arguments, logPath: folder.path("\(name).log"),
                                                                 readyFile: folder.path("\(name).ready.json"),
                                                                 environment: environment, timeout: timeout)
        return ConcordProcess(child: child, ready: ready)
    }

    /// Starts a command without waiting for it to be ready (a subscriber, a recorder, a scenario).
    public static func launch(_ arguments: [String], logPath: String, environment: [String: String] = [:]) async throws -> ConcordProcess {
        ConcordProcess(child: try await ChildProcess.start(binary, arguments, logPath: logPath, environment: environment), ready: nil)
    }

    /// Runs a short command to completion; its status (nil when killed at `timeout`) and output.
    public static func run(_ arguments: [String], logPath: String, timeout: Duration = .seconds(30)) async throws -> (Int32?, String) {
        let (status, output) = try await ChildProcess.run(binary, arguments, logPath: logPath, timeout: timeout)
        return (status, output)
    }

    public var output: String { child.output }
    public func signal(_ signal: Int32) { child.signal(signal) }
    public func waitForExit(timeout: Duration = .seconds(15)) async -> Int32? { await child.waitForExit(timeout: timeout) }

    /// The bus endpoints this part reported, or empty ones when it reported none.
    public var bus: BusEndpoints { ready?.bus ?? BusEndpoints(publish: "", subscribe: "", capture: "", replay: "") }

    /// Options that point another `concord` command at this part's bus.
    public var busOptions: [String] {
        ["--bus-publish", bus.publish, "--bus-subscribe", bus.subscribe, "--bus-capture", bus.capture, "--bus-replay", bus.replay]
            + (ready?.keys.map { ["--keys", $0] } ?? [])
    }

    /// This part's gateway, e.g. `nats://127.0.0.1:40123`.
    public var gatewayURL: String { ready?.gatewayURL ?? "nats://127.0.0.1:0" }
    public var gatewayPort: Int { ready?.gatewayPort ?? 0 }
    public var metricsPort: Int { ready?.metricsPort ?? 0 }
}
