import GRDB
import GRDBSQLite

/// A cached statement bound and stepped through SQLite's C interface. Every command runs a
/// handful of these (journal append, stored answer, entity row), and GRDB's generic
/// `execute(arguments:)` boxes each value into an existential and rebuilds its argument list
/// on every call, which was a fifth of a command's time in its write transaction.
///
/// What it leaves out of GRDB's execution: transaction observers do not see the changes these
/// statements make (Concord registers none: it publishes after commit from its own outbox),
/// and a statement that fails stays in GRDB's cache, reset (SQLite allows reuse after reset).
public struct DirectStatement {
    /// A value to bind: the column types the hot statements use.
    public enum Value {
        case null
        case integer(Int64)
        case double(Double)
        case text(String)
        case blob([UInt8])
    }

    private let statement: Statement
    private let db: Database

    /// The statement for `sql` from the connection's cache, compiled once per connection.
    public init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
    }

    /// Runs the statement to completion with `values` bound in order.
    public func execute(_ values: [Value]) throws {
        try run(values) { _ in }
    }

    /// The first column of the first row as an integer, nil when there is no row or it is NULL.
    public func integer(_ values: [Value] = []) throws -> Int64? {
        var result: Int64?
        try run(values) { handle in
            if result == nil, sqlite3_column_type(handle, 0) != SQLITE_NULL { result = sqlite3_column_int64(handle, 0) }
        }
        return result
    }

    /// The first column of the first row as bytes, nil when there is no row or it is NULL.
    public func bytes(_ values: [Value] = []) throws -> [UInt8]? {
        var result: [UInt8]?
        try run(values) { handle in
            guard result == nil, sqlite3_column_type(handle, 0) != SQLITE_NULL else { return }
            let count = Int(sqlite3_column_bytes(handle, 0))
            guard count > 0, let base = sqlite3_column_blob(handle, 0) else {
                result = []
                return
            }
            result = Array(UnsafeRawBufferPointer(start: base, count: count))
        }
        return result
    }

    /// Binds, steps every row through `row`, and leaves the statement reset with no bindings
    /// (text and blobs are copied by SQLite, so nothing outlives this call).
    private func run(_ values: [Value], row: (OpaquePointer) -> Void) throws {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (offset, value) in values.enumerated() {
            try check(bind(value, at: Int32(offset + 1), in: handle))
        }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: row(handle)
            case SQLITE_DONE: return
            default:
                let extended = sqlite3_extended_errcode(db.sqliteConnection)
                try check(extended == SQLITE_OK ? code : extended)
            }
        }
    }

    private func bind(_ value: Value, at index: Int32, in handle: OpaquePointer) -> Int32 {
        switch value {
        case .null: return sqlite3_bind_null(handle, index)
        case .integer(let value): return sqlite3_bind_int64(handle, index, value)
        case .double(let value): return sqlite3_bind_double(handle, index, value)
        case .text(let value):
            var value = value
            return value.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { text in
                    // An empty string is still text, not NULL.
                    text.baseAddress.map { sqlite3_bind_text(handle, index, $0, Int32(text.count), Self.transient) }
                        ?? sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        case .blob(let value):
            return value.withUnsafeBytes { bytes in
                // A zero-length blob is still a blob, not NULL.
                bytes.baseAddress.map { sqlite3_bind_blob(handle, index, $0, Int32(bytes.count), Self.transient) }
                    ?? sqlite3_bind_zeroblob(handle, index, 0)
            }
        }
    }

    private func check(_ code: Int32) throws {
        guard code != SQLITE_OK else { return }
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                            sql: statement.sql)
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the bind call returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
