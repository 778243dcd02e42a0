import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    @Suite("concord up from a second terminal", .serialized)
    struct UpTests {
        @Test("up starts the bus and registry, answers commands and queries from other processes, refuses a second up, stops on Ctrl-C")
        func upEndToEnd() async throws {
            let folder = try TemporaryFolder()
            let port = freePort()
            let data = folder.path("data")
            let bus = ["--bus-publish", "tcp://127.0.0.1:\(port)", "--bus-subscribe", "tcp://127.0.0.1:\(port + 1)"]
            let gatewayPort = freePort()
            let up = try ConcordProcess(["up", "--data", data, "--bus-port", "\(port)", "--gateway-port", "\(gatewayPort)"],
                                        logPath: folder.path("up.log"))
            #expect(try await eventually(timeout: .seconds(90)) { up.output.contains("Concord is up.") }, "\(up.output)")
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
            #expect(up.output.contains("nats://127.0.0.1:\(gatewayPort)"))

            // The same partner through the gateway, with concord's own partner client.
            let token = "ecowas-token-0123456789abcdef"
            let partner = ["--server", "nats://127.0.0.1:\(gatewayPort)", "--token", token]
            let (rotate, _) = try await ConcordProcess.run(["partner", "permit", "ECOWAS", "--publish", "query.registry.>",
                                                            "--publish", "partner.note.posted", "--subscribe", "partner.note.*"] + bus,
                                                           logPath: folder.path("permit.log"))
            #expect(rotate == 0)
            // Rotate ECOWAS's token to a known one (the first was random).
            let (reissue, reissueOutput) = try await ConcordProcess.run(["partner", "credential", "ECOWAS", "--token", token] + bus,
                                                                        logPath: folder.path("token.log"))
            #expect(reissue == 0, "\(reissueOutput)")
            try await Task.sleep(for: .seconds(1))
            let (requestStatus, answer) = try await ConcordProcess.run(["request", "query.registry.partner.get", #"{"code":"ECOWAS"}"#] + partner,
                                                                       logPath: folder.path("request.log"))
            #expect(requestStatus == 0, "\(answer)")
            #expect(answer.contains("registry.partner.found"))
            let subscriber = try ConcordProcess(["sub", "partner.note.*", "--count", "1"] + partner, logPath: folder.path("sub.log"))
            try await Task.sleep(for: .seconds(1))
            let (pubStatus, pubOutput) = try await ConcordProcess.run(["pub", "partner.note.posted", #"{"text":"checkpoint open"}"#] + partner,
                                                                      logPath: folder.path("pub.log"))
            #expect(pubStatus == 0, "\(pubOutput)")
            let subStatus = await subscriber.waitForExit(timeout: .seconds(10))
            #expect(subStatus == 0)
            #expect(subscriber.output.contains("checkpoint open") && subscriber.output.contains("partner/ECOWAS"))
            let (deniedStatus, denied) = try await ConcordProcess.run(["pub", "intel.report.filed", "{}"] + partner, logPath: folder.path("denied.log"))
            #expect(deniedStatus != 0)
            #expect(denied.contains("Permissions Violation for Publish to \"intel.report.filed\""))

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
}
