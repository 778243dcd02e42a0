import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    @Suite("concord up from a second terminal", .serialized)
    struct UpTests {
        @Test("up starts the bus and registry, answers commands and queries from other processes, refuses a second up, stops on Ctrl-C")
        func upEndToEnd() async throws {
            let folder = try TemporaryFolder()
            let data = folder.path("data")
            let up = try await ConcordProcess.start(["up", "--data", data], folder: folder, name: "up")
            #expect(up.output.contains("Concord is up."), "\(up.output)")
            #expect(up.output.contains(up.bus.publish) && up.output.contains(up.gatewayURL))
            let bus = up.busOptions

            let (secondStatus, secondOutput) = try await ConcordProcess.run(
                ["up", "--data", data, "--bus-port", "0", "--gateway-port", "0", "--metrics-port", "off", "--console-port", "off"], logPath: folder.path("second.log"))
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

            // The same partner through the gateway, with concord's own partner client.
            let token = "ecowas-token-0123456789abcdef"
            let partner = ["--server", up.gatewayURL, "--token", token]
            let (permit, _) = try await ConcordProcess.run(["partner", "permit", "ECOWAS", "--publish", "query.registry.>",
                                                            "--publish", "partner.note.posted", "--subscribe", "partner.note.*"] + bus,
                                                           logPath: folder.path("permit.log"))
            #expect(permit == 0)
            // Rotate ECOWAS's token to a known one (the first was random).
            let (reissue, reissueOutput) = try await ConcordProcess.run(["partner", "credential", "ECOWAS", "--token", token] + bus,
                                                                        logPath: folder.path("token.log"))
            #expect(reissue == 0, "\(reissueOutput)")
            // The gateway learns of the new token from the registry's event: ask until it has.
            let answer = Latest("")
            let answered = try await eventually(timeout: .seconds(30)) {
                let (status, output) = try await ConcordProcess.run(["request", "query.registry.partner.get", #"{"code":"ECOWAS"}"#] + partner,
                                                                    logPath: folder.path("request.log"))
                answer.value = output
                return status == 0
            }
            #expect(answered, "\(answer.value)")
            #expect(answer.value.contains("registry.partner.found"))
            let subscriber = try await ConcordProcess.launch(["sub", "partner.note.*", "--count", "1"] + partner, logPath: folder.path("sub.log"))
            // Publish until the subscriber (whose subscription may not be live yet) has its note.
            let pubOutput = Latest("")
            let delivered = try await eventually(timeout: .seconds(30)) {
                let (status, output) = try await ConcordProcess.run(["pub", "partner.note.posted", #"{"text":"checkpoint open"}"#] + partner,
                                                                    logPath: folder.path("pub.log"))
                pubOutput.value = output
                return status == 0 && subscriber.child.exitStatus != nil
            }
            #expect(delivered, "\(pubOutput.value) \(subscriber.output)")
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
        }

        @Test("partner secrets never cross the bus: the CLI sends only their hashes, and a secret it would refuse registers no partner")
        func secretsStayWithTheCLI() async throws {
            let folder = try TemporaryFolder()
            let up = try await ConcordProcess.start(["up", "--data", folder.path("data")], folder: folder, name: "up")
            let bus = up.busOptions
            let cassette = folder.path("bus.jsonl")
            let recorder = try await ConcordProcess.launch(["record", "--out", cassette] + bus, logPath: folder.path("record.log"))
            #expect(try await eventually(timeout: .seconds(30)) { ((try? readCassette(cassette))?.0 ?? []).count >= 2 }, "the recorder wrote nothing")

            let (shortStatus, shortOutput) = try await ConcordProcess.run(
                ["partner", "add", "OCHA", "--name", "OCHA", "--kind", "un-body", "--token", "too-short"] + bus, logPath: folder.path("short.log"))
            #expect(shortStatus != 0)
            #expect(shortOutput.contains("at least 16 characters"), "\(shortOutput)")
            let token = "ocha-token-5b7e0123456789abcdef", password = "correct horse battery"
            let (addStatus, addOutput) = try await ConcordProcess.run(
                ["partner", "add", "WFP", "--name", "WFP", "--kind", "un-body", "--token", token] + bus, logPath: folder.path("add.log"))
            #expect(addStatus == 0, "\(addOutput)")
            let (passwordStatus, passwordOutput) = try await ConcordProcess.run(
                ["partner", "credential", "WFP", "--user", "wfp-ops", "--password", password] + bus, logPath: folder.path("password.log"))
            #expect(passwordStatus == 0, "\(passwordOutput)")
            let (_, list) = try await ConcordProcess.run(["partner", "list"] + bus, logPath: folder.path("list.log"))
            #expect(list.contains("WFP") && !list.contains("OCHA"), "\(list)")

            // Everything the bus carried: the hash of the token went, neither secret did.
            #expect(try await eventually(timeout: .seconds(30)) {
                ((try? readCassette(cassette))?.0 ?? []).filter { $0.topic == "cmd.registry.credential.issue" }.count == 2
            })
            recorder.signal(SIGTERM)
            _ = await recorder.waitForExit(timeout: .seconds(10))
            let carried = try String(contentsOfFile: cassette, encoding: .utf8)
            #expect(carried.contains(SecretHasher.hashToken(token)))
            #expect(!carried.contains(token) && !carried.contains(password) && !carried.contains("too-short"))
            up.signal(SIGINT)
            _ = await up.waitForExit(timeout: .seconds(10))
        }

        @Test("a subcommand with no bus running says so instead of hanging")
        func noBus() async throws {
            let folder = try TemporaryFolder()
            // A port nothing listens on: one this process holds bound but never accepts on.
            let holder = try PortHolder()
            // Without keys the command says so first.
            let (noKeysStatus, noKeys) = try await ConcordProcess.run(["partner", "list", "--keys", folder.path("keys")], logPath: folder.path("nokeys.log"))
            #expect(noKeysStatus != 0)
            #expect(noKeys.contains("no bus keys at") && noKeys.contains("concord keys init"), "\(noKeys)")
            _ = try await ConcordProcess.run(["keys", "init", folder.path("keys")], logPath: folder.path("keys.log"))
            let (status, output) = try await ConcordProcess.run(
                ["partner", "list", "--bus-publish", "tcp://127.0.0.1:\(holder.port)", "--bus-subscribe", "tcp://127.0.0.1:\(holder.port)",
                 "--keys", folder.path("keys")],
                logPath: folder.path("list.log"))
            #expect(status != 0)
            #expect(output.contains("no bus proxy answered"))
        }

        @Test("a part whose port is taken stops at once with an error naming the port, for each port it listens on",
              arguments: [["up", "--bus-port", "PORT", "--console-port", "0"], ["up", "--bus-port", "0", "--gateway-port", "PORT", "--console-port", "0"],
                          ["up", "--bus-port", "0", "--gateway-port", "0", "--metrics-port", "PORT", "--console-port", "0"],
                          ["up", "--bus-port", "0", "--gateway-port", "0", "--metrics-port", "off", "--console-port", "PORT"],
                          ["run", "bus", "--bus-publish", "tcp://127.0.0.1:PORT", "--metrics-port", "off"],
                          ["run", "registry", "--catch-up-bind", "tcp://127.0.0.1:PORT", "--metrics-port", "off"]])
        func portTaken(arguments: [String]) async throws {
            let folder = try TemporaryFolder()
            let holder = try PortHolder(listening: true)
            let arguments = arguments.map { $0.replacingOccurrences(of: "PORT", with: "\(holder.port)") } + ["--data", folder.path("data")]
            _ = try await ConcordProcess.run(["keys", "init", folder.path("data/keys")], logPath: folder.path("keys.log"))
            let (status, output) = try await ConcordProcess.run(arguments, logPath: folder.path("taken.log"), timeout: .seconds(20))
            #expect(status == 1, "\(output)")
            #expect(output.contains("cannot listen") && output.contains(":\(holder.port)") && output.contains("Address already in use"), "\(output)")
        }
    }
}
