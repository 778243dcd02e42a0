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
        try DirectStatement(db, sql: sql).execute(columns.map { value(entity[$0]) })
    }

    /// Rewrites every column of the row whose `key` column equals the entity's.
    static func update(_ entity: JSONValue, in table: String, key: String, in db: Database) throws {
        let columns = try columns(of: table, for: entity, in: db).filter { $0 != key }
        let sql = statements.sql(for: "update", table, columns) {
            "UPDATE \(table.quotedDatabaseIdentifier) SET \(columns.map { "\($0.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")) "
                + "WHERE \(key.quotedDatabaseIdentifier) = ?"
        }
        try DirectStatement(db, sql: sql).execute(columns.map { value(entity[$0]) } + [value(entity[key])])
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

    private static func value(_ field: JSONValue?) -> DirectStatement.Value {
        switch field ?? .null {
        case .null: return .null
        case .bool(let value): return .integer(value ? 1 : 0)
        case .integer(let value): return .integer(value)
        case .double(let value): return .double(value)
        case .string(let value): return .text(value)
        case let nested: return .text(String(decoding: nested.bytes, as: UTF8.self))
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
