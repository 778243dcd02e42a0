import Agents
import ArgumentParser
import Foundation

/// Where and as whom `sub`, `pub` and `request` connect to the gateway.
struct GatewayClientOptions: ParsableArguments {
    @Option(help: "Gateway URL: nats://host:port, or tls://host:port for a gateway with TLS. Env: CONCORD_GATEWAY_URL.")
    var server = EnvironmentKey.gatewayURL.value(or: "nats://127.0.0.1:4222")

    @Option(help: "PEM file of the CA that signed the gateway's certificate, for tls:// (default: the system's roots). Env: CONCORD_TLS_CA.")
    var tlsCA: String?

    @Option(help: "The partner's token. Env: CONCORD_TOKEN.")
    var token: String?

    @Option(help: "The partner's user. Env: CONCORD_USER.")
    var user: String?

    @Option(help: "The user's password. Env: CONCORD_PASSWORD.")
    var password: String?

    /// Runs `body` connected as the partner, closing the connection afterwards whatever happens.
    func withPartner<T>(_ body: (PartnerClient) async throws -> T) async throws -> T {
        let client = try await connect()
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    func connect() async throws -> PartnerClient {
        guard let url = URLComponents(string: server), let host = url.host, ["nats", "tls"].contains(url.scheme) else {
            throw ValidationError("--server must look like nats://host:port or tls://host:port")
        }
        let tls = url.scheme == "tls" ? PartnerClient.TLS(caFile: tlsCA ?? EnvironmentKey.tlsCA.value) : nil
        let credentials = PartnerClient.Credentials(
            token: token ?? EnvironmentKey.token.value, user: user ?? EnvironmentKey.user.value,
            password: password ?? EnvironmentKey.password.value)
        guard credentials.token != nil || credentials.user != nil else {
            throw ValidationError("give --token (or CONCORD_TOKEN), or --user and --password")
        }
        do {
            return try await PartnerClient.connect(host: host, port: url.port ?? 4222, credentials: credentials, tls: tls)
        } catch {
            throw CommandFailure("could not connect to \(server): \(error)")
        }
    }
}

/// `concord sub SUBJECT`: print what a partner receives.
struct Sub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe through the gateway as a partner and print each message (one JSON envelope a line).")
    @Argument(help: "Subject, with NATS wildcards: e.g. 'registry.unit.*' or 'logistics.>'.") var subject: String
    @Option(help: "Queue group: each message goes to one member.") var queue: String?
    @Option(help: "Stop after this many messages.") var count: Int?
    @OptionGroup var gateway: GatewayClientOptions

    func run() async throws {
        try await gateway.withPartner { client in
            let messages = client.subscribe(subject, queue: queue)
            try await client.flush()
            if let error = client.lastError { throw CommandFailure(error) }
            var received = 0
            for await message in messages {
                writeUnbuffered(String(decoding: message.payload, as: UTF8.self) + "\n")
                received += 1
                if let count, received >= count { return }
            }
            if let reason = client.closedReason { throw CommandFailure("the gateway closed the connection: \(reason)") }
        }
    }
}

/// `concord pub SUBJECT DATA`: publish as a partner.
struct Pub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish JSON data through the gateway as a partner.",
        discussion: "The gateway turns it into an envelope from partner/<code>, checked against the catalog; labelled with --classification and --releasable-to, or by default UNCLASSIFIED releasable to the sender only.")
    @Argument(help: "Subject, e.g. partner.note.posted.") var subject: String
    @Argument(help: "JSON data.") var data: String
    @Option(help: "Label level, e.g. RESTRICTED (at most the partner's clearance).") var classification: String?
    @Option(help: "Partner codes it may go to, space separated, e.g. 'AU ECOWAS'.") var releasableTo: String?
    @OptionGroup var gateway: GatewayClientOptions

    func run() async throws {
        var headers: [(String, String)] = []
        if let classification { headers.append(("Concord-Classification", classification)) }
        if let releasableTo { headers.append(("Concord-Releasable-To", releasableTo)) }
        try await gateway.withPartner { client in
            client.publish(subject, payload: Array(data.utf8), headers: headers)
            try await client.flush()
            if let error = client.lastError { throw CommandFailure("the gateway refused it: \(error)") }
        }
        print("published \(subject)")
    }
}

/// `concord request SUBJECT DATA`: a command or query and its answer.
struct Request: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a command or query through the gateway as a partner and print the answer envelope.")
    @Argument(help: "Subject, e.g. query.registry.unit.list or cmd.registry.unit.register.") var subject: String
    @Argument(help: "JSON data.") var data: String = "{}"
    @Option(help: "Seconds to wait for the answer.") var timeout = 10.0
    @OptionGroup var gateway: GatewayClientOptions

    func run() async throws {
        let answer = try await gateway.withPartner { client in
            do {
                return try await client.request(subject, payload: Array(data.utf8), timeout: .milliseconds(Int(timeout * 1000)))
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        print(String(decoding: answer.payload, as: UTF8.self))
    }
}
