import ConcordTestSupport
import Foundation
import Testing

@Suite("concord up from a second terminal", .serialized)
struct UpTests {
    @Test("up starts the bus and registry, answers commands and queries from other processes, refuses a second up, stops on Ctrl-C")
    func upEndToEnd() async throws {
        let folder = try TemporaryFolder()
        let port = freePort()
        let data = folder.path("data")
        let bus = ["--bus-publish", "tcp://127.0.0.1:\(port)", "--bus-subscribe", "tcp://127.0.0.1:\(port + 1)"]
        let up = try ConcordProcess(["up", "--data", data, "--bus-port", "\(port)"], logPath: folder.path("up.log"))
        #expect(try await eventually { up.output.contains("Concord is up.") }, "\(up.output)")
        #expect(up.output.contains("tcp://127.0.0.1:\(port)"))

        let (secondStatus, secondOutput) = try await ConcordProcess.run(
            ["up", "--data", data, "--bus-port", "\(port + 10)"], logPath: folder.path("second.log"))
        #expect(secondStatus != 0)
        #expect(secondOutput.contains("already running on data folder"))

        let (addStatus, addOutput) = try await ConcordProcess.run(
            ["partner", "add", "ECOWAS", "--name", "Economic Community of West African States",
             "--kind", "regional-organisation", "--clearance", "restricted"] + bus, logPath: folder.path("add.log"))
        #expect(addStatus == 0, "\(addOutput)")
        #expect(addOutput.contains("token: "))
        let (listStatus, listOutput) = try await ConcordProcess.run(["partner", "list"] + bus, logPath: folder.path("list.log"))
        #expect(listStatus == 0)
        #expect(listOutput.contains("ECOWAS") && listOutput.contains("member") && listOutput.contains("RESTRICTED"))
        let (suspendStatus, _) = try await ConcordProcess.run(["partner", "suspend", "ECOWAS"] + bus, logPath: folder.path("s1.log"))
        #expect(suspendStatus == 0)
        let (againStatus, againOutput) = try await ConcordProcess.run(["partner", "suspend", "ECOWAS"] + bus, logPath: folder.path("s2.log"))
        #expect(againStatus != 0)
        #expect(againOutput.contains("illegal_transition"))

        up.signal(SIGINT)
        let status = await up.waitForExit(timeout: .seconds(10))
        #expect(status == 0, "\(up.output)")
        #expect(up.output.contains("Concord stopped."))
        folder.remove()
    }

    @Test("a subcommand with no bus running says so instead of hanging")
    func noBus() async throws {
        let folder = try TemporaryFolder()
        let port = freePort()
        let (status, output) = try await ConcordProcess.run(
            ["partner", "list", "--bus-publish", "tcp://127.0.0.1:\(port)", "--bus-subscribe", "tcp://127.0.0.1:\(port)"],
            logPath: folder.path("list.log"))
        #expect(status != 0)
        #expect(output.contains("no bus proxy answered"))
        folder.remove()
    }
}
