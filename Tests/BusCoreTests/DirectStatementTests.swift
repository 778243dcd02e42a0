import BusCore
import Foundation
import GRDB
import Testing

@Suite("Direct statements")
struct DirectStatementTests {
    /// A journaled store's settings on a real file, with one table of every bound type.
    static func open() throws -> (DatabasePool, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concord-test-direct-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: folder.appendingPathComponent("store.sqlite").path, configuration: Journal.storeConfiguration())
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE item (key TEXT PRIMARY KEY, count INTEGER, weight REAL, note TEXT, data BLOB)")
        }
        return (pool, folder)
    }

    static let insert = "INSERT INTO item (key, count, weight, note, data) VALUES (?, ?, ?, ?, ?)"

    @Test("values come back as GRDB reads them; empty text and blobs stay distinct from NULL")
    func roundTrip() throws {
        let (pool, folder) = try Self.open()
        defer { try? FileManager.default.removeItem(at: folder) }
        try pool.write { db in
            try DirectStatement(db, sql: Self.insert).execute([.text("a é✓"), .integer(-7), .double(2.5), .text(""), .blob([])])
            try DirectStatement(db, sql: Self.insert).execute([.text("b"), .null, .null, .null, .blob([0, 255, 1])])
        }
        try pool.read { db in
            let a = try #require(try Row.fetchOne(db, sql: "SELECT * FROM item WHERE key = 'a é✓'"))
            #expect(a["count"] as Int64? == -7)
            #expect(a["weight"] as Double? == 2.5)
            #expect(a["note"] as String? == "")
            #expect(a["data"] as Data? == Data())
            let b = try #require(try Row.fetchOne(db, sql: "SELECT * FROM item WHERE key = 'b'"))
            #expect(b["count"] as Int64? == nil)
            #expect(b["note"] as String? == nil)
            #expect(b["data"] as Data? == Data([0, 255, 1]))
            #expect(try DirectStatement(db, sql: "SELECT data FROM item WHERE key = ?").bytes([.text("b")]) == [0, 255, 1])
            #expect(try DirectStatement(db, sql: "SELECT count FROM item WHERE key = ?").integer([.text("b")]) == nil)
            #expect(try DirectStatement(db, sql: "SELECT count FROM item WHERE key = ?").integer([.text("none")]) == nil)
            #expect(try DirectStatement(db, sql: "SELECT MAX(count) FROM item").integer() == -7)
        }
    }

    @Test("a constraint failure throws GRDB's error with SQLite's extended code, and the statement keeps working")
    func constraintFailure() throws {
        let (pool, folder) = try Self.open()
        defer { try? FileManager.default.removeItem(at: folder) }
        try pool.write { db in
            try DirectStatement(db, sql: Self.insert).execute([.text("a"), .integer(1), .null, .null, .null])
            #expect { try DirectStatement(db, sql: Self.insert).execute([.text("a"), .integer(2), .null, .null, .null]) } throws: { error in
                guard let error = error as? DatabaseError else { return false }
                return error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY && error.message?.contains("item.key") == true
            }
            try DirectStatement(db, sql: Self.insert).execute([.text("b"), .integer(3), .null, .null, .null])
        }
        #expect(try pool.read { db in try Int.fetchAll(db, sql: "SELECT count FROM item ORDER BY key") } == [1, 3])
    }
}
