import Agents
import ArgumentParser
import BusCore
import Contracts
import Registry

extension MissionUnit.UnitType: ExpressibleByArgument {}
extension MissionUnit.Readiness: ExpressibleByArgument {}
extension MissionUnit.Availability: ExpressibleByArgument {}

/// `concord unit …`: units through the registry.
struct UnitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit", abstract: "Register and find units (as commands and queries to the registry).",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a unit of a partner.")
        @Argument(help: "Unit code, e.g. NLD-ENG-1.") var unit: String
        @Option(help: "Owning partner's code.") var partner: String
        @Option(help: "One of: \(MissionUnit.UnitType.allCases.map(\.rawValue).joined(separator: ", ")).") var type: MissionUnit.UnitType
        @Option(help: "Personnel strength.") var strength: Int
        @Option(help: "Readiness.") var readiness: MissionUnit.Readiness = .ready
        @Option(help: "Where it is, e.g. Juba.") var location: String
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            let command = RegistryMessages.RegisterUnit(unit: unit, partner: partner, type: type, strength: strength,
                                                        readiness: readiness, availability: .available,
                                                        location: .init(name: location))
            let registered = try await client.withClient { client in
                try await client.send("cmd.registry.unit.register", command, expecting: MissionUnit.self, timeout: self.client.duration)
            }
            print("registered \(registered.unit) (\(registered.type.rawValue), \(registered.strength)) of \(registered.partner) at \(registered.location.name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List units by type, readiness and availability.")
        @Option var type: MissionUnit.UnitType?
        @Option var readiness: MissionUnit.Readiness?
        @Flag(help: "Only units available for tasking.") var available = false
        @Option var partner: String?
        @Flag(help: "Print the answer as JSON.") var json = false
        @OptionGroup var client: BusClientOptions

        func run() async throws {
            var query = RegistryMessages.ListUnits(type: type, readiness: readiness, available: available ? true : nil, partner: partner)
            // Every page, in unit order.
            let list = try await client.withClient { client in
                var all = RegistryMessages.UnitList(units: [])
                repeat {
                    let page = try await client.send("query.registry.unit.list", query, expecting: RegistryMessages.UnitList.self,
                                                     timeout: self.client.duration)
                    all.units += page.units
                    query.after = page.next
                } while query.after != nil
                return all
            }
            if json { return try printJSON(list) }
            if list.units.isEmpty { return print("no units") }
            print(Table.render(["UNIT", "PARTNER", "TYPE", "STRENGTH", "READINESS", "AVAILABILITY", "LOCATION"], list.units.map {
                [$0.unit, $0.partner, $0.type.rawValue, String($0.strength), $0.readiness.rawValue, $0.availability.rawValue, $0.location.name]
            }))
        }
    }
}

/// Plain text tables for terminal output.
enum Table {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
