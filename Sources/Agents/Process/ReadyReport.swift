import BusCore
import Foundation

/// Every address a `concord up` or `concord run <part>` process listens on, known once it is
/// ready. The process writes it to `--ready-file` as JSON and prints it, so operators' scripts,
/// benches and tests let parts bind port 0 and read the ports they got instead of picking ports
/// in advance (a port picked in advance can be taken by anyone before it is bound).
public struct ReadyReport: Codable, Sendable, Equatable {
    public var pid: Int32 = getpid()
    /// `up`, or the part `run` runs.
    public var part: String
    /// The proxy's resolved endpoints (`up`, `run bus`).
    public var bus: BusEndpoints?
    public var gatewayURL: String?
    public var gatewayPort: Int?
    public var consoleURL: String?
    public var consolePort: Int?
    public var metricsURL: String?
    public var metricsPort: Int?
    /// Each service's bound catch-up endpoint, by service name.
    public var catchUp: [String: String] = [:]
    /// The bus key folder the process uses: other `concord` commands take it as `--keys`.
    public var keys: String?

    enum CodingKeys: String, CodingKey {
        case pid, part, bus, keys
        case gatewayURL = "gateway_url", gatewayPort = "gateway_port"
        case consoleURL = "console_url", consolePort = "console_port"
        case metricsURL = "metrics_url", metricsPort = "metrics_port"
        case catchUp = "catch_up"
    }

    public init(part: String) { self.part = part }

    /// One line of JSON.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Writes the report to `path` whole or not at all: a reader never sees half a file.
    public func write(to path: String) throws {
        let temporary = path + ".tmp-\(pid)"
        try Data((json + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw ReadyFileError(description: "cannot write the ready file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The report at `path`, or nil while there is none.
    public static func read(from path: String) -> ReadyReport? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ReadyReport.self, from: data)
    }
}

/// The ready file could not be written.
public struct ReadyFileError: Error, CustomStringConvertible {
    public let description: String
}

extension ChildProcess {
    /// Starts `concord` with `--ready-file` and waits until that file appears. Fails when the
    /// child ends first or nothing is ready within `timeout`, quoting the end of its output.
    public static func startConcord(_ binary: String, _ arguments: [String], logPath: String, readyFile: String,
                                    environment: [String: String] = [:],
                                    timeout: Duration = .seconds(90)) async throws -> (ChildProcess, ReadyReport) {
        try? FileManager.default.removeItem(atPath: readyFile)
        let child = try await start(binary, arguments + ["--ready-file", readyFile], logPath: logPath, environment: environment)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let report = ReadyReport.read(from: readyFile) { return (child, report) }
            if let status = child.exitStatus {
                throw ReadyFileError(description: "concord \(arguments.first ?? "") ended with status \(status) before it was ready: \(child.output.suffix(2_000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.signal(SIGKILL)
        throw ReadyFileError(description: "concord \(arguments.first ?? "") was not ready within \(timeout): \(child.output.suffix(2_000))")
    }
}
