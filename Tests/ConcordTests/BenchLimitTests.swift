import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    /// A bench that loses a message or has a command refused must end within its limits with a
    /// non-zero exit and the counts so far, never hang. Each bench injects the fault into its own
    /// traffic (`--fault`), with tiny counts.
    @Suite("Benchmarks end with the counts when something goes wrong", .serialized)
    struct BenchLimitTests {
        static let cases: [(arguments: [String], expected: String)] = [
            (["bench", "bus", "--count", "1000", "--fault", "lose-one"], "received 999 of 1000 messages"),
            (["bench", "replay", "--count", "2000", "--fault", "lose-one"], "received 1999 of 2000 replayed messages"),
            (["bench", "services", "--count", "200", "--in-flight", "32", "--fault", "refuse-one"], "1 (the first:"),
            (["bench", "gateway", "--count", "2000", "--fan-out", "2", "--requests", "20", "--fault", "lose-one"], "1999 of 2000 arrived"),
            (["bench", "feeds", "--backlog", "200", "--delivered", "100", "--fault", "lose-one"], "Concord's LOGISTICS view: 199 of 200"),
        ]

        @Test("a lost message or a refused command ends the bench with a non-zero exit and the counts", arguments: 0..<5)
        func faultEndsTheBench(index: Int) async throws {
            let folder = try TemporaryFolder()
            let (arguments, expected) = Self.cases[index]
            let started = ContinuousClock.now
            let (status, output) = try await ConcordProcess.run(arguments + ["--stall-seconds", "3", "--timeout-seconds", "120"],
                                                               logPath: folder.path("bench.log"), timeout: .seconds(180))
            #expect(status != nil, "\(arguments.joined(separator: " ")) did not end by itself: \(output.suffix(2_000))")
            #expect(status != 0, "\(output.suffix(2_000))")
            #expect(output.contains(expected), "\(output.suffix(2_000))")
            #expect(ContinuousClock.now - started < .seconds(150))
        }
    }
}
