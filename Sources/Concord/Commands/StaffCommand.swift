import Agents
import ArgumentParser
import BusCore
import ServiceKit

extension MissionRole: ExpressibleByArgument {}

/// `concord staff …`: who on the mission's staff holds which role, through the registry.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Appoint and dismiss the mission's staff (operator/<name>) and list their roles (as commands to the registry).",
        discussion: "Registry administrators only. A fresh deployment has one administrator, operator/admin, with every role; see docs/security.md.",
        subcommands: [Appoint.self, Dismiss.self, List.self])

    struct Appoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a member of the staff these roles (replacing theirs).")

        @Argument(help: "The name in operator/<name>, e.g. logcell-duty.") var name: String
        @Option(name: .customLong("role"), help: "A role (repeatable): \(MissionRole.allCases.map(\.rawValue).joined(separator: ", ")).")
        var roles: [MissionRole]
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            let member = try await client.withClient { client in
                try await client.send("cmd.registry.staff.appoint", StaffMember(name: name, roles: roles),
                                      expecting: StaffMember.self, timeout: self.client.duration)
            }
            print("operator/\(member.name): \(member.roles.map(\.rawValue).joined(separator: ", "))")
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take every role from a member of the staff.")

        @Argument(help: "The name in operator/<name>.") var name: String
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            try await client.withClient { client in
                _ = try await client.send("cmd.registry.staff.dismiss", ["name": name], timeout: self.client.duration)
            }
            print("operator/\(name): dismissed")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The mission's staff and their roles.")

        @OptionGroup var client: BusClientOptions

        func run() async throws {
            let staff = try await client.withClient { client in
                try await client.send("query.registry.staff.list", [String: String](), expecting: [String: [StaffMember]].self,
                                      timeout: self.client.duration)["staff"] ?? []
            }
            for member in staff { print("operator/\(member.name)  \(member.roles.map(\.rawValue).joined(separator: ", "))") }
        }
    }
}
