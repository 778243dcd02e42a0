import BusCore
import GRDB

/// A partner's relation to an entity a command or query names (requester, pledger, unit owner,
/// organiser, originator, …): which partners stand in it, read from the service's own database.
public struct Relation: Sendable {
    /// How the relation reads in refusals and in docs/authorization.md, e.g. `requester`.
    public let name: String
    /// What the entity is called in a `not_found` answer, e.g. `request`.
    public let entity: String
    /// The command's field that names the entity, e.g. `request`.
    public let keyField: String
    /// The partners standing in the relation to the entity with this key; nil when no such entity.
    public let partners: @Sendable (_ key: String, _ db: Database) throws -> [String]?

    public init(_ name: String, of entity: String, keyField: String,
                partners: @escaping @Sendable (_ key: String, _ db: Database) throws -> [String]?) {
        self.name = name
        self.entity = entity
        self.keyField = keyField
        self.partners = partners
    }

    /// The partner codes in `column` of the row of `table` whose `keyColumn` is the key: a code,
    /// or a JSON array of codes (a convoy's partners).
    public static func column(_ name: String, of entity: String, table: String, keyField: String, keyColumn: String? = nil,
                              column: String) -> Relation {
        sql(name, of: entity, keyField: keyField, "SELECT \(column) FROM \(table) WHERE \(keyColumn ?? keyField) = ?")
    }

    /// The relation of a `StatefulRecord`: its partners in `column` (a code or a JSON array).
    public static func of<Record: StatefulRecord>(_: Record.Type, _ name: String, column: String) -> Relation {
        Self.column(name, of: Record.lifecycle.entity, table: Record.databaseTableName, keyField: Record.keyField, column: column)
    }

    /// The partner codes the first column of `sql` gives (every `?` is the key), each a code or
    /// a JSON array of codes; nil when it gives no row.
    public static func sql(_ name: String, of entity: String, keyField: String, _ sql: String) -> Relation {
        let placeholders = sql.filter { $0 == "?" }.count
        return Relation(name, of: entity, keyField: keyField) { key, db in
            let rows = try String.fetchAll(db, sql: sql, arguments: StatementArguments(Array(repeating: key, count: placeholders)))
            guard !rows.isEmpty else { return nil }
            return rows.flatMap(Self.codes(in:))
        }
    }

    /// A stored partner column: one code, or a JSON array of codes.
    static func codes(in stored: String) -> [String] {
        guard stored.hasPrefix("["), let value = try? JSONTreeDecoder.decode([String].self, from: Array(stored.utf8)) else {
            return [stored]
        }
        return value
    }
}
