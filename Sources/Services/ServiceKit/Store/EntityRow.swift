import BusCore
import GRDB
import Synchronization

/// Writes an entity row from its JSON tree through cached statements: the same tree becomes the
/// event's data, so a command encodes its entity once. Columns follow GRDB's Codable layout —
/// scalars as they are, nested values as JSON text, absent optionals as NULL — so GRDB's
/// `FetchableRecord` reads the rows back unchanged.
enum EntityRow {
    static func insert(_ entity: JSONValue, into table: String, in db: Database) throws {
        let columns = try columns(of: table, for: entity, in: db)
        let sql = statements.sql(for: "insert", table, columns) {
            "INSERT INTO \(table.quotedDatabaseIdentifier) (\(columns.map(\.quotedDatabaseIdentifier).joined(separator: ", "))) "
                + "VALUES (\(databaseQuestionMarks(count: columns.count)))"
        }
        try db.cachedStatement(sql: sql).execute(arguments: arguments(columns.map { value(entity[$0]) }))
    }

    /// Rewrites every column of the row whose `key` column equals the entity's.
    static func update(_ entity: JSONValue, in table: String, key: String, in db: Database) throws {
        let columns = try columns(of: table, for: entity, in: db).filter { $0 != key }
        let sql = statements.sql(for: "update", table, columns) {
            "UPDATE \(table.quotedDatabaseIdentifier) SET \(columns.map { "\($0.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")) "
                + "WHERE \(key.quotedDatabaseIdentifier) = ?"
        }
        try db.cachedStatement(sql: sql).execute(arguments: arguments(columns.map { value(entity[$0]) } + [value(entity[key])]))
    }

    /// The SQL of each statement, built once per table and column list (building it was a
    /// third of an insert).
    private static let statements = StatementTexts()

    /// The table's columns; a field the table lacks is a programming error, refused as GRDB would.
    private static func columns(of table: String, for entity: JSONValue, in db: Database) throws -> [String] {
        let columns = try db.columns(in: table).map(\.name)
        if case .object(let members) = entity, let stray = members.keys.first(where: { !columns.contains($0) }) {
            throw DatabaseError(resultCode: .SQLITE_ERROR, message: "table \(table) has no column named \(stray)")
        }
        return columns
    }

    /// `.lazy` picks GRDB's sequence initializer: given an array, Swift prefers the failable
    /// `[Any]` one, which gives up on the first NULL.
    private static func arguments(_ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
        StatementArguments(values.lazy)
    }

    private static func value(_ field: JSONValue?) -> (any DatabaseValueConvertible)? {
        switch field ?? .null {
        case .null: return nil
        case .bool(let value): return value.databaseValue
        case .integer(let value): return value.databaseValue
        case .double(let value): return value.databaseValue
        case .string(let value): return value.databaseValue
        case let nested: return String(decoding: nested.bytes, as: UTF8.self).databaseValue
        }
    }
}

/// SQL texts by statement kind and table, kept with the columns they were built for: services
/// in one process may share a table name with different columns.
final class StatementTexts: Sendable {
    private let texts = Mutex<[String: (columns: [String], sql: String)]>([:])

    func sql(for kind: String, _ table: String, _ columns: [String], build: () -> String) -> String {
        let key = "\(kind) \(table)"
        if let known = texts.withLock({ $0[key] }), known.columns == columns { return known.sql }
        let sql = build()
        texts.withLock { $0[key] = (columns, sql) }
        return sql
    }
}
