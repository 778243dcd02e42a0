import Agents
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
            let (status, output) = try await ChildProcess.run("python3", [Self.script.path, ConcordProcess.binary, folder.url.path],
                                                             logPath: folder.path("conformance.log"), timeout: .seconds(600))
            let results = output.split(separator: "\n").filter { $0.hasPrefix("ok - ") || $0.hasPrefix("not ok - ") }
            print(results.joined(separator: "\n"))
            #expect(status == 0, "\(output)")
            #expect(!output.contains("not ok"))
            #expect(results.count >= 34)
        }
    }
}
