import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    @Suite("Gateway conformance with stock NATS clients", .serialized)
    struct GatewayConformanceTests {
        /// `Tests/Conformance/nats_py_conformance.py`, next to this file's folder.
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Conformance/nats_py_conformance.py")

        @Test("nats-py against bus, registry and gateway processes: auth, wildcards, queue groups, request/reply, permissions, limits, releasability, suspension, slow consumer, TLS, restart")
        func natsPy() async throws {
            let folder = try TemporaryFolder()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Self.script.path, ConcordProcess.binary.path, folder.url.path]
            let log = folder.path("conformance.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try ConcordProcess.launch(process)
            let deadline = ContinuousClock.now + .seconds(600)
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { process.terminate() }
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let results = output.split(separator: "\n").filter { $0.hasPrefix("ok - ") || $0.hasPrefix("not ok - ") }
            print(results.joined(separator: "\n"))
            #expect(process.terminationStatus == 0, "\(output)")
            #expect(!output.contains("not ok"))
            #expect(results.count >= 34)
            folder.remove()
        }
    }
}
