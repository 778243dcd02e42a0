import BusCore
import Contracts
import Foundation
import GRDB
import ServiceKit
import Testing

@Suite("Replicas kept by several followers")
struct ReplicaTests {
    /// A store with the bus's tables and, before the replicas, the tables services kept earlier.
    static func store(legacy: Bool) throws -> DatabaseQueue {
        let database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        Consumer.registerMigrations(&migrator)
        if legacy {
            migrator.registerMigration("legacy") { db in
                try db.create(table: "threat") { $0.primaryKey("alert", .text); $0.column("area", .text).notNull() }
                try db.create(table: "unit_replica") { $0.primaryKey("unit", .text); $0.column("type", .text).notNull() }
                try db.execute(sql: "INSERT INTO threat VALUES ('AL-1', 'Bor')")
                try db.execute(sql: "INSERT INTO unit_replica VALUES ('NLD-ENG-1', 'engineers')")
                try Cursor(source: RegistryContract.source, epoch: "e1", position: 42).insert(db)
                try Cursor(source: IntelligenceContract.source, epoch: "e2", position: 7).insert(db)
            }
        }
        AlertAreaReplica.registerMigrations(&migrator, legacyTable: legacy ? "threat" : nil)
        UnitReplica.registerMigrations(&migrator, legacyTable: legacy ? "unit_replica" : nil)
        try migrator.migrate(database)
        return database
    }

    static func event(_ type: MessageType, _ data: String, classification: String?, releasableTo: [String]) throws -> Envelope {
        try Contracts.catalog.upcast(Envelope(id: UUID().uuidString, source: "test", type: type.name, dataVersion: 1,
                                              classification: classification, releasableTo: releasableTo, data: Array(data.utf8)))
    }

    @Test("a unit row keeps the label of the event it came from; a later event replaces row and label")
    func unitLabels() throws {
        let database = try Self.store(legacy: false)
        let registered = try Self.event(RegistryContract.unitRegistered, #"{"unit":"NLD-ENG-1","partner":"NLD","type":"engineers","strength":120,"location":"Juba"}"#,
                                        classification: "UNCLASSIFIED", releasableTo: ["NLD"])
        try database.write { db in try UnitReplica.apply(registered, in: db) }
        let row = try #require(try database.read { db in try UnitReplica.find("NLD-ENG-1", in: db) })
        #expect(row.type == "engineers" && row.readiness == "unknown" && row.label == Label(.unclassified, releasableTo: ["NLD"]))
        let updated = try Self.event(RegistryContract.unitUpdated, #"{"unit":"NLD-ENG-1","partner":"NLD","type":"engineers","strength":90,"readiness":"ready","availability":"tasked","location":{"name":"Bor"}}"#,
                                     classification: "RESTRICTED", releasableTo: ["NLD", "AU"])
        try database.write { db in try UnitReplica.apply(updated, in: db) }
        let after = try #require(try database.read { db in try UnitReplica.find("NLD-ENG-1", in: db) })
        #expect(after.availability == "tasked" && after.label == Label(.restricted, releasableTo: ["NLD", "AU"]))
    }

    @Test("an alert area is kept while the alert is active, with the alert event's label; an unlabelled event counts as the most restrictive label")
    func alertAreas() throws {
        let database = try Self.store(legacy: false)
        let alert = #"{"alert":"AL-2","area":"Jonglei","severity":"high","summary":"s","expires":"2026-12-01T00:00:00Z","securityLabel":{"policy":"UN-MISSION","classification":"SECRET","releasableTo":["NLD"]},"status":"active"}"#
        try database.write { db in
            try AlertAreaReplica.apply(try Self.event(IntelligenceContract.alertRaised, alert, classification: "SECRET", releasableTo: ["NLD"]), in: db)
            try AlertAreaReplica.apply(try Self.event(IntelligenceContract.alertRaised, alert.replacingOccurrences(of: "AL-2", with: "AL-3"),
                                                      classification: nil, releasableTo: ["NLD"]), in: db)
        }
        var active = try database.read { db in try AlertAreaReplica.active(in: db) }
        #expect(active.map(\.alert) == ["AL-2", "AL-3"])
        #expect(active[0].label == Label(.secret, releasableTo: ["NLD"]) && active[0].area == "Jonglei")
        #expect(active[1].label == .unknown)
        let lifted = try #require(IntelligenceContract.alertEnded.first { $0.name == "intelligence.alert.lifted" })
        try database.write { db in
            try AlertAreaReplica.apply(try Self.event(lifted, alert.replacingOccurrences(of: "active", with: "lifted"), classification: "SECRET", releasableTo: ["NLD"]), in: db)
        }
        active = try database.read { db in try AlertAreaReplica.active(in: db) }
        #expect(active.map(\.alert) == ["AL-3"])
    }

    @Test("an existing store moves over: alert areas keep their rows, labelled as unknown (fail closed); units are rebuilt from the registry's journal")
    func legacyTables() throws {
        let database = try Self.store(legacy: true)
        try database.read { db in
            #expect(try !db.tableExists("threat") && !db.tableExists("unit_replica"))
            let areas = try AlertAreaReplica.active(in: db)
            #expect(areas.map(\.area) == ["Bor"] && areas.allSatisfy { $0.label == .unknown })
            #expect(try UnitReplica.Row.fetchCount(db) == 0)
            // The cursor on the registry starts over, so catch-up brings every unit back with its label.
            #expect(try Cursor.fetchOne(db, key: RegistryContract.source) == nil)
            #expect(try Cursor.fetchOne(db, key: IntelligenceContract.source)?.position == 7)
        }
    }
}
