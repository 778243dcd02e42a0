import ArgumentParser

/// The one Concord executable.
@main
struct Concord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concord",
        abstract: "Concord: a coordination bus for peace-operations partnerships.",
        discussion: """
            `concord up` runs the bus and every service in one process on a local data folder. \
            `concord run <part>` runs one part, as compose does. The other subcommands talk to a \
            running bus. Every CONCORD_* environment variable is listed in docs/configuration.md.
            """,
        subcommands: [Up.self, Run.self, KeysCommand.self, PartnerCommand.self, UnitCommand.self, StaffCommand.self, Sub.self, Pub.self, Request.self, CatalogCommand.self, Record.self, Replay.self, ScenarioCommand.self, HealthCommand.self, StatusCommand.self, Bench.self]
    )

}
