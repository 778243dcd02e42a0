import Agents
import ArgumentParser
import BusCore
import Foundation

/// `concord scenario`: drives an exercise from a scenario file and reports what was met.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Run a scenario: timed injects sent as named partners, with the events each should cause checked.",
        discussion: "The scenario is YAML or JSON (docs/scenarios/mission.yaml is one). The mission's own commands go over the bus as the scenario's staff member; partners' commands go through the gateway, signed in with the scenario's credentials, as a partner's would. Exits 1 when an expected event is missed or a command is refused. With --write-cassette the scenario's commands are written as a cassette instead of sent.")

    @Argument(help: "The scenario file (.yaml, .yml or .json).")
    var file: String

    @Option(help: "1 for the scenario's own times, N for N times faster, max for no waiting.", transform: Replayer.Speed.option)
    var speed = Replayer.Speed.original

    @Option(help: "Write the injects as a cassette of commands to this file and exit, without a bus.")
    var writeCassette: String?

    @Option(help: "The gateway partners' commands go through (nats://host:port), with the scenario's credentials. Env: CONCORD_GATEWAY_URL.")
    var gateway = EnvironmentKey.gatewayURL.value(or: "nats://127.0.0.1:4222")

    @Option(help: "PEM file of the CA that signed the gateway's certificate, for tls:// (default: the system's roots). Env: CONCORD_TLS_CA.")
    var tlsCA: String?

    @OptionGroup var bus: BusOptions

    func run() async throws {
        LogSetup.bootstrap(level: "error")
        var scenario: Scenario
        do {
            scenario = try Scenario.load(path: file)
        } catch let error as ScenarioError {
            throw CommandFailure(error.description)
        }
        // The mission's own injects go as the scenario's staff member, else as CONCORD_OPERATOR.
        scenario.staff = scenario.staff ?? EnvironmentKey.operatorName.value
        if let writeCassette {
            try scenario.writeCassette(to: writeCassette, start: Date(), concord: ConcordVersion.current)
            print("\(writeCassette): \(scenario.injects.count) commands of scenario \(scenario.name)")
            return
        }
        var runner = ScenarioRunner(scenario: scenario)
        runner.speed = speed
        guard let url = URL(string: gateway), let host = url.host, let port = url.port, ["nats", "tls"].contains(url.scheme) else {
            throw ValidationError("--gateway takes nats://host:port or tls://host:port")
        }
        runner.gateway = (host, port)
        if url.scheme == "tls" { runner.gatewayTLS = PartnerClient.TLS(caFile: tlsCA ?? EnvironmentKey.tlsCA.value) }
        // The bus lets the mission's staff send only as themselves: partners' injects go
        // through the gateway, signed in with the scenario's credentials.
        var configuration = BusConnection.Configuration(endpoints: bus.endpoints)
        configuration.security = try bus.operatorSecurity(scenario.staff)
        let connection = try await BusConnection.connect(configuration, context: try ZMQContext())
        let report = try await runner.run(on: connection)
        await connection.close()
        print(report)
        if !report.succeeded { throw ExitCode(1) }
    }
}
