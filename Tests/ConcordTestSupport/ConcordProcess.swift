import Agents
import Foundation
import Glibc

/// A `concord` subprocess of the built binary, with its output captured to a file.
public final class ConcordProcess: @unchecked Sendable {
    // @unchecked: `Process` is used from the test task only; its fields are not shared.
    public let process = Process()
    public let logPath: String

    /// The `concord` binary next to the test bundle (both live in the build folder).
    public static var binary: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("concord"),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/concord"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }

    public init(_ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try Self.launch(process)
    }

    /// Foundation's `Process.run()` is not safe to call from two threads at once on Linux (it can
    /// crash while copying the environment), and test suites run in parallel: launch one at a time.
    public static func launch(_ process: Process) throws {
        try launchLock.withLock { try process.run() }
    }

    private static let launchLock = NSLock()

    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit, up to `timeout`; returns its status or nil if still running.
    public func waitForExit(timeout: Duration = .seconds(15)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Runs a short command to completion and returns its status and output.
    public static func run(_ arguments: [String], logPath: String, timeout: Duration = .seconds(30)) async throws -> (Int32?, String) {
        let child = try ConcordProcess(arguments, logPath: logPath)
        let status = await child.waitForExit(timeout: timeout)
        if status == nil { child.signal(SIGKILL) }
        return (status, child.output)
    }
}

/// A TCP port that was free a moment ago on loopback.
public func freePort() -> Int { LoopbackPort.free() }
