import ArgumentParser
import Glibc

/// The one Concord executable.
@main
struct Concord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concord",
        abstract: "Concord: a coordination bus for peace-operations partnerships.",
        discussion: """
            `concord up` runs the bus and every service in one process on a local data folder.
            `concord run <part>` runs one part, as compose does. The other subcommands talk to a
            running bus. Every CONCORD_* environment variable is listed in docs/configuration.md.
            """,
        subcommands: [Up.self, Run.self, PartnerCommand.self, UnitCommand.self, Bench.self]
    )

    static func main() async {
        // Line-buffered output, so what `up` announces reaches a pipe or a log at once.
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
