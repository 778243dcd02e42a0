import BusCore
import Contracts
import GRDB
import ServiceKit

/// The mission's staff and their roles: who may run which commands as `operator/<name>`.
/// Every service applies the registry's staff events to its own copy (`StaffRoles`).
enum StaffCommands {
    struct Appoint: Codable {
        var name: String
        var roles: [MissionRole]
    }

    struct Dismiss: Codable {
        var name: String
    }

    static func appoint(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Appoint.self)
        try check(input.name)
        guard !input.roles.isEmpty else { throw CommandError(.invalidCommand, "appoint with at least one role; dismiss to take all away") }
        let member = StaffMember(name: input.name, roles: Array(Set(input.roles)).sorted())
        try StaffRoles.set(member, in: context.db)
        try context.emit(StaffRoles.appointedType, member, label: .accessControl)
        return try CommandResult(StaffRoles.appointedType, member)
    }

    static func dismiss(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Dismiss.self)
        guard !(try StaffRoles.roles(of: input.name, in: context.db)).isEmpty else {
            throw CommandError(.notFound, "no staff member 'operator/\(input.name)'")
        }
        let member = StaffMember(name: input.name, roles: [])
        try StaffRoles.set(member, in: context.db)
        try context.emit(StaffRoles.dismissedType, member, label: .accessControl)
        return try CommandResult(StaffRoles.dismissedType, member)
    }

    static func list(_ context: QueryContext) throws -> CommandResult {
        try CommandResult("registry.staff.listed", ["staff": try StaffRoles.all(in: context.db)])
    }

    /// Names as in `operator/<name>`: lower-case letters, digits, `-`, `_` or `.`, 1 to 40.
    private static func check(_ name: String) throws {
        guard (1...40).contains(name.count), name.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0.isNumber || "-_.".contains($0) }) else {
            throw CommandError(.invalidCommand, "a staff name is 1 to 40 lower-case letters, digits, '-', '_' or '.'")
        }
    }
}
