import Agents
import ArgumentParser
import BusCore
import Contracts
import Foundation
import Registry

extension Partner.Kind: ExpressibleByArgument {}
extension Membership: ExpressibleByArgument {}
extension Classification: ExpressibleByArgument {
    /// Labels are accepted in any case on the command line: `restricted` or `RESTRICTED`.
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// `concord partner …`: manage partners through the registry, over the bus.
struct PartnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner",
        abstract: "Manage partner organisations, their credentials and permissions (as commands to the registry).",
        subcommands: [Add.self, List.self, Show.self, Admit.self, Suspend.self, Reinstate.self, Permit.self, Credential.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a partner, admit it, and issue its credential.",
            discussion: "Without --token or --password a random token is issued and printed once; only its hash is stored.")

        @Argument(help: "Partner code, e.g. AU, NLD, UNMISS, MSF.") var code: String
        @Option(help: "Full name.") var name: String
        @Option(help: "One of: \(Partner.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: Partner.Kind
        @Option(help: "Highest label it may receive: \(Classification.allCases.map(\.rawValue).joined(separator: ", ")).")
        var clearance: Classification = .unclassified
        @Option(help: "Token to issue (at least 16 characters).") var token: String?
        @Option(help: "User name for a password credential.") var user: String?
        @Option(help: "Password for --user (at least 8 characters).") var password: String?
        @Option(help: "The partner's public user nkey (U…): it signs in with its seed, which Concord never sees. Recommended.")
        var nkey: String?
        @Flag(help: "Make a new nkey here and print its seed once, for the partner; only the public key is sent.")
        var generateNkey = false
        @Flag(help: "Leave the partner joining instead of admitting it.") var joiningOnly = false
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            // Checked and hashed before anything is sent: a secret that would be refused
            // registers no partner, and the secret itself never leaves this process.
            let secret = try Self.credential(for: code, token: token, user: user, password: password, nkey: nkey, generateNkey: generateNkey)
            try await client.withClient { client in
                let partner = try await client.send(
                    "cmd.registry.partner.register",
                    RegistryMessages.RegisterPartner(code: code, name: name, kind: kind, clearance: clearance),
                    expecting: Partner.self, timeout: self.client.duration)
                if !joiningOnly {
                    _ = try await client.send("cmd.registry.partner.admit", RegistryMessages.PartnerTransition(code: code), timeout: self.client.duration)
                }
                _ = try await client.send("cmd.registry.credential.issue", secret.command, timeout: self.client.duration)
                print("registered \(partner.code) (\(partner.name)), \(partner.kind.rawValue), clearance \(partner.clearance.rawValue), \(joiningOnly ? "joining" : "member")")
                Self.announce(secret)
            }
        }

        /// The credential command (the secret's hash, or an nkey's public key) and what to show
        /// once: a token, or a generated nkey's seed.
        static func credential(for code: String, token: String?, user: String?, password: String?, nkey: String? = nil,
                               generateNkey: Bool = false) throws -> (command: RegistryMessages.IssueCredential, token: String?) {
            guard [token != nil, user != nil, nkey != nil, generateNkey].filter({ $0 }).count <= 1 else {
                throw ValidationError("give one of --token, --user/--password, --nkey, --generate-nkey")
            }
            if let nkey {
                guard NKey.userPublicKey(nkey) != nil else { throw ValidationError("--nkey must be a user's public nkey (U…, 56 characters)") }
                return (try .hashing(partner: code, kind: .nkey, secret: nkey), nil)
            }
            if generateNkey {
                let pair = NKey.generateUser()
                return (try .hashing(partner: code, kind: .nkey, secret: pair.publicKey), pair.seed)
            }
            do {
                if let user {
                    guard let password else { throw ValidationError("--user needs --password") }
                    return (try .hashing(partner: code, kind: .password, user: user, secret: password), nil)
                }
                let token = token ?? randomToken()
                return (try .hashing(partner: code, kind: .token, secret: token), token)
            } catch let short as RegistryMessages.IssueCredential.TooShort {
                throw ValidationError(short.description)
            }
        }

        static func announce(_ secret: (command: RegistryMessages.IssueCredential, token: String?)) {
            if secret.command.kind == .nkey {
                print("nkey: \(secret.command.hash)")
                if let seed = secret.token { print("seed: \(seed)   (shown once, for the partner alone; only the public key was sent)") }
            } else if let token = secret.token {
                print("token: \(token)   (shown once; only its hash was sent and stored)")
            } else {
                print("user: \(secret.command.user ?? "")   (only the password's hash was sent and stored)")
            }
        }

        static func randomToken() -> String {
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            var generator = SystemRandomNumberGenerator()
            return String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List partners.")
        @Option(help: "Only partners in this membership status.") var status: Membership?
        @Flag(help: "Print the answer as JSON.") var json = false
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            let list = try await client.withClient { client in
                try await client.send("query.registry.partner.list", ["status": status?.rawValue],
                                      expecting: RegistryMessages.PartnerList.self, timeout: self.client.duration)
            }
            if json { return try printJSON(list) }
            if list.partners.isEmpty { return print("no partners") }
            print(Table.render(["CODE", "NAME", "KIND", "CLEARANCE", "STATUS"], list.partners.map {
                [$0.code, $0.name, $0.kind.rawValue, $0.clearance.rawValue, $0.status.rawValue]
            }))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one partner with its permissions and credentials (never secrets).")
        @Argument var code: String
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            let details = try await client.withClient { client in
                try await client.send("query.registry.partner.get", ["code": code],
                                      expecting: RegistryMessages.PartnerDetails.self, timeout: self.client.duration)
            }
            try printJSON(details)
        }
    }

    struct Admit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admit a joining partner as a member.")
        @Argument var code: String
        @OptionGroup var client: BusClientOptions
        func run() async throws { try await transition("admit", code, nil, client) }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a partner.")
        @Argument var code: String
        @Option(help: "Why, for the record.") var reason: String?
        @OptionGroup var client: BusClientOptions
        func run() async throws { try await transition("suspend", code, reason, client) }
    }

    struct Reinstate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reinstate a suspended partner.")
        @Argument var code: String
        @OptionGroup var client: BusClientOptions
        func run() async throws { try await transition("reinstate", code, nil, client) }
    }

    struct Credential: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue or rotate a partner's token or password; connections using the old one are cut off.",
            discussion: "Without --token or --password a random token is issued and printed once.")
        @Argument var code: String
        @Option(help: "Token to issue (at least 16 characters).") var token: String?
        @Option(help: "User name for a password credential.") var user: String?
        @Option(help: "Password for --user (at least 8 characters).") var password: String?
        @Option(help: "The partner's public user nkey (U…): it signs in with its seed, which Concord never sees. Recommended.")
        var nkey: String?
        @Flag(help: "Make a new nkey here and print its seed once, for the partner; only the public key is sent.")
        var generateNkey = false
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            let secret = try Add.credential(for: code, token: token, user: user, password: password, nkey: nkey, generateNkey: generateNkey)
            try await client.withClient { client in
                _ = try await client.send("cmd.registry.credential.issue", secret.command, timeout: self.client.duration)
            }
            Add.announce(secret)
        }
    }

    struct Permit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a partner's publish and subscribe subjects (NATS wildcards * and > allowed).")
        @Argument var code: String
        @Option(name: .customLong("publish"), help: "A subject it may publish to; repeat for more.") var publish: [String] = []
        @Option(name: .customLong("subscribe"), help: "A subject it may subscribe to; repeat for more.") var subscribe: [String] = []
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            try await client.withClient { client in
                _ = try await client.send("cmd.registry.permissions.grant",
                                          PermissionSet(partner: code, publish: publish, subscribe: subscribe), timeout: self.client.duration)
            }
            print("\(code): publish \(publish.joined(separator: " ")); subscribe \(subscribe.joined(separator: " "))")
        }
    }
}

private func transition(_ verb: String, _ code: String, _ reason: String?, _ client: BusClientOptions) async throws {
    let change = try await client.withClient { bus in
        try await bus.send("cmd.registry.partner.\(verb)", RegistryMessages.PartnerTransition(code: code, reason: reason),
                           expecting: PartnerStatusChanged.self, timeout: client.duration)
    }
    print("\(change.code): \(change.previous.rawValue) → \(change.status.rawValue)")
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
