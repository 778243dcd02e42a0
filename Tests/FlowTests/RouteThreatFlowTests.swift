import Agents
import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import Intelligence
import Logistics
import Testing

@Suite("Flow: route threat")
struct RouteThreatFlowTests {
    /// Partners, with clearances, whose view of the events the test checks.
    static let partners: [(code: String, clearance: Classification)] = [("NLD", .secret), ("WFP", .restricted), ("MSF", .secret)]

    @Test("an alert on an area puts its routes at risk and halts convoys there; each partner sees what its label allows; lifting it clears the route")
    func routeThreat() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let logistics = try await RunningService(LogisticsService(), bus: bus, databasePath: folder.path("logistics.sqlite"))
        let intelligence = try await RunningService(IntelligenceService(), bus: bus, databasePath: folder.path("intelligence.sqlite"))
        let connection = try await bus.connect()
        let client = CommandClient(connection: connection, source: "test/operator",
                                   catalog: LogisticsCatalog.catalog.merging(IntelligenceCatalog.catalog))

        for (route, areas) in [("R-1", ["Central Equatoria", "Jonglei"]), ("R-2", ["Unity"])] {
            _ = try await client.send("cmd.logistics.route.define", ["route": .string(route), "name": .string(route),
                                                                    "areas": .array(areas.map(JSONValue.string))] as [String: JSONValue])
        }
        _ = try await client.send("cmd.logistics.convoy.plan", ["convoy": .string("CV-1"), "route": .string("R-1"),
                                                               "partners": .array([.string("WFP"), .string("NLD")])] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.assign-escort", ["convoy": "CV-1", "unit": "NLD-INF-2"])
        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])

        let alert: [String: JSONValue] = [
            "alert": .string("AL-1"), "area": .string("Jonglei"), "severity": .string("high"),
            "summary": .string("Armed group massing near Bor; ambush likely on the Juba–Bor road"),
            "expires": .string("2026-12-31T00:00:00Z"),
            "label": .object(["policy": .string("UN-MISSION"), "classification": .string("SECRET"), "releasableTo": .array([.string("NLD")])]),
            "tearline": .object(["summary": .string("Avoid road movements in Jonglei"),
                                 "label": .object(["policy": .string("UN-MISSION"), "classification": .string("RESTRICTED"),
                                                   "releasableTo": .array([.string("NLD"), .string("WFP")])])]),
        ]
        _ = try await client.send("cmd.intelligence.alert.raise", alert)

        @Sendable func convoyStatus() async throws -> String? {
            try await client.send("query.logistics.convoy.get", ["convoy": "CV-1"]).decodeData([String: JSONValue].self)["status"]?.stringValue
        }
        @Sendable func routes() async throws -> [String: Bool] {
            let listed = try await client.send("query.logistics.route.list", [String: String]()).decodeData([String: [Route]].self)
            return Dictionary(uniqueKeysWithValues: (listed["routes"] ?? []).map { ($0.route, $0.atRisk) })
        }
        #expect(try await eventually { try await convoyStatus() == "halted" })
        #expect(try await routes() == ["R-1": true, "R-2": false])
        do {
            _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
            Issue.record("a convoy left on a route at risk")
        } catch let refusal as CommandClient.Rejection {
            #expect(refusal.code == "illegal_transition" && refusal.message.contains("at risk"))
        }

        // What each partner would receive, by the releasability rule, from both services' journals.
        func received(_ partner: String, _ clearance: Classification) throws -> [String] {
            try [folder.path("intelligence.sqlite"), folder.path("logistics.sqlite")].flatMap { path in
                try DatabaseQueue(path: path).read { db in
                    try Data.fetchAll(db, sql: "SELECT envelope FROM journal ORDER BY sequence").compactMap { bytes -> String? in
                        let envelope = try EnvelopeCodec.decode(Array(bytes))
                        return Releasability.allows(classification: envelope.classification, releasableTo: envelope.releasableTo,
                                                    partner: partner, clearance: clearance) ? envelope.type : nil
                    }
                }
            }.filter { $0.hasPrefix("intelligence.") || $0.contains("convoy.halted") }
        }
        #expect(try received("NLD", .secret) == ["intelligence.alert.raised", "intelligence.alert.tearline-issued", "logistics.convoy.halted"])
        #expect(try received("WFP", .restricted) == ["intelligence.alert.tearline-issued", "logistics.convoy.halted"])
        #expect(try received("MSF", .secret).isEmpty)

        _ = try await client.send("cmd.intelligence.alert.lift", ["alert": "AL-1"])
        #expect(try await eventually { try await routes()["R-1"] == false })
        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
        #expect(try await convoyStatus() == "moving")

        await connection.close()
        await intelligence.stop()
        await logistics.stop()
        await bus.stop()
        folder.remove()
    }
}
