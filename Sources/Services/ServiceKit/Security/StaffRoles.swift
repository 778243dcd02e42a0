import BusCore
import GRDB

/// A member of the mission's staff and the roles the registry gave them: the data of
/// `registry.staff.appointed` (and of `dismissed`, with no roles).
public struct StaffMember: Codable, Sendable, Equatable {
    /// The name in `operator/<name>`.
    public var name: String
    public var roles: [MissionRole]

    public init(name: String, roles: [MissionRole]) {
        self.name = name
        self.roles = roles
    }
}

/// Who on the mission's staff holds which role, in every service's database: the registry
/// writes it as it appoints and dismisses, the other services apply the registry's events.
/// Policies read it through `Authorization`.
///
/// Every store starts with one administrator, `operator/admin`, holding every role, so a fresh
/// deployment can be run from its first command; the registry may appoint others and dismiss it.
public enum StaffRoles {
    public static let tableName = "staff_role"
    /// The administrator a fresh deployment starts with.
    public static let bootstrapAdministrator = "admin"

    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("staff-roles-v1") { db in
            try db.create(table: tableName) { table in
                table.column("name", .text).notNull()
                table.column("role", .text).notNull()
                table.primaryKey(["name", "role"])
            }
            try set(StaffMember(name: bootstrapAdministrator, roles: MissionRole.allCases), in: db)
        }
    }

    /// The roles `name` holds (none for a name the registry never appointed).
    public static func roles(of name: String, in db: Database) throws -> Set<MissionRole> {
        Set(try String.fetchAll(db, sql: "SELECT role FROM \(tableName) WHERE name = ?", arguments: [name])
            .compactMap(MissionRole.init(rawValue:)))
    }

    /// Everyone and their roles, by name.
    public static func all(in db: Database) throws -> [StaffMember] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, role FROM \(tableName) ORDER BY name, role")
        return Dictionary(grouping: rows, by: { $0["name"] as String }).map { name, rows in
            StaffMember(name: name, roles: rows.compactMap { MissionRole(rawValue: $0["role"]) }.sorted())
        }.sorted { $0.name < $1.name }
    }

    /// Replaces what `member` holds with its roles (none: dismissed).
    public static func set(_ member: StaffMember, in db: Database) throws {
        try db.execute(sql: "DELETE FROM \(tableName) WHERE name = ?", arguments: [member.name])
        for role in Set(member.roles) {
            try db.execute(sql: "INSERT INTO \(tableName) (name, role) VALUES (?, ?)", arguments: [member.name, role.rawValue])
        }
    }

    /// Applies the registry's `registry.staff.appointed` or `registry.staff.dismissed`.
    public static func apply(_ event: Envelope, in db: Database) throws {
        var member = try event.decodeData(StaffMember.self)
        if event.type == dismissedType { member.roles = [] }
        try set(member, in: db)
    }

    public static let appointedType = "registry.staff.appointed"
    public static let dismissedType = "registry.staff.dismissed"

    /// The registry's staff events, which every service reads (part of the registry's contract).
    public static let messageTypes = [
        MessageType(appointedType, summary: "A member of the mission's staff was given roles (all they hold now).", data: StaffMember.self,
                    examples: [1: #"{"name":"logcell-duty","roles":["logistics-cell"]}"#])
            .labelled("releasable to no partner: for the mission's parts and staff"),
        MessageType(dismissedType, summary: "A member of the mission's staff lost every role.", data: StaffMember.self,
                    examples: [1: #"{"name":"logcell-duty","roles":[]}"#])
            .labelled("releasable to no partner: for the mission's parts and staff"),
    ]

    /// Following the registry's staff events: every service but the registry does.
    public static let follow = Consumer.Follow(source: "concord/registry", topicPrefix: "registry.staff.",
                                               types: [appointedType, dismissedType])
}
