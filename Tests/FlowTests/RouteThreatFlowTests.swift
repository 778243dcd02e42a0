import Agents
import BusCore
import Contracts
import ConcordTestSupport
import Foundation
import Logistics
import Testing

@Suite("Flow: route threat")
struct RouteThreatFlowTests {
    @Test("an alert on an area puts its routes at risk, halts convoys there and makes liaison issue a deconfliction notice; each partner sees what its label allows; lifting it clears all")
    func routeThreat() async throws {
        // WFP may see only the alert's tearline, UNMISS (the exercise's organiser) nothing of it:
        // what is derived for them is named and labelled accordingly.
        let notice = "DN-" + AlertDisclosure.pseudonym(of: "AL-1"), conflict = "ALR-EX-J-" + AlertDisclosure.pseudonym(of: "AL-1")
        let bed = try await FlowBed.start()
        let client = bed.client
        for (route, areas) in [("R-1", ["Central Equatoria", "Jonglei"]), ("R-2", ["Unity"])] {
            _ = try await client.send("cmd.logistics.route.define", ["route": .string(route), "name": .string(route),
                                                                    "areas": .array(areas.map(JSONValue.string))] as [String: JSONValue])
        }
        _ = try await client.send("cmd.logistics.convoy.plan", ["convoy": .string("CV-1"), "route": .string("R-1"),
                                                               "partners": .array([.string("WFP"), .string("NLD")])] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.assign-escort", ["convoy": "CV-1", "unit": "NLD-INF-2"])
        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
        // An exercise in Jonglei, and WFP runs a site there: both are affected.
        _ = try await client.send("cmd.training.exercise.schedule", [
            "exercise": .string("EX-J"), "name": .string("Jonglei field exercise"), "kind": .string("exercise"),
            "startDate": .string("2026-12-01"), "endDate": .string("2026-12-10"), "location": .string("Jonglei"),
            "organiser": .string("UNMISS"), "capacity": .integer(4)] as [String: JSONValue])
        _ = try await client.send("cmd.liaison.notification.notify", ["notification": "HN-1", "partner": "WFP", "kind": "site",
                                                                      "location": "Jonglei", "from": "2026-11-01", "until": "2027-01-31"])

        let alert: [String: JSONValue] = [
            "alert": .string("AL-1"), "area": .string("Jonglei"), "severity": .string("high"),
            "summary": .string("Armed group massing near Bor; ambush likely on the Juba–Bor road"),
            "expires": .string("2099-12-31T00:00:00Z"),
            "label": .object(["policy": .string("UN-MISSION"), "classification": .string("SECRET"), "releasableTo": .array([.string("NLD")])]),
            "tearline": .object(["summary": .string("Avoid road movements in Jonglei"),
                                 "label": .object(["policy": .string("UN-MISSION"), "classification": .string("RESTRICTED"),
                                                   "releasableTo": .array([.string("NLD"), .string("WFP")])])]),
        ]
        _ = try await client.send("cmd.intelligence.alert.raise", alert)

        @Sendable func routes() async throws -> [String: Bool] {
            let listed = try await client.send("query.logistics.route.list", [String: String]()).decodeData([String: [Route]].self)
            return Dictionary(uniqueKeysWithValues: (listed["routes"] ?? []).map { ($0.route, $0.atRisk) })
        }
        #expect(try await eventually { try await bed.field("query.logistics.convoy.get", ["convoy": "CV-1"], "status") == "halted" })
        #expect(try await routes() == ["R-1": true, "R-2": false])
        #expect(try await eventually { try await bed.field("query.liaison.notice.get", ["notice": notice], "status") == "issued" })
        #expect(try await eventually { try await bed.field("query.training.conflict.get", ["conflict": conflict], "status") == "open" })
        do {
            _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
            Issue.record("a convoy left on a route at risk")
        } catch let refusal as CommandClient.Rejection {
            #expect(refusal.code == "illegal_transition" && refusal.message.contains("at risk"))
        }

        // What each partner would receive: the full alert only where its label allows, the tearline elsewhere.
        #expect(try bed.received(from: "intelligence", partner: "NLD", clearance: .secret) == ["intelligence.alert.raised", "intelligence.alert.tearline-issued"])
        #expect(try bed.received(from: "intelligence", partner: "WFP", clearance: .restricted) == ["intelligence.alert.tearline-issued"])
        #expect(try bed.received(from: "intelligence", partner: "MSF", clearance: .secret).isEmpty)
        #expect(try bed.received(from: "logistics", partner: "WFP", clearance: .restricted).contains("logistics.convoy.halted"))
        #expect(try bed.received(from: "liaison", partner: "WFP", clearance: .restricted).contains("liaison.notice.issued"))
        #expect(!(try bed.received(from: "logistics", partner: "MSF", clearance: .secret)).contains("logistics.convoy.halted"))
        // Nothing derived from the alert carries more of it than its tearline to WFP, and
        // nothing of it at all to UNMISS: no event names the alert or quotes it.
        for service in ["logistics", "training", "liaison"] {
            for (partner, clearance) in [("WFP", Classification.restricted), ("UNMISS", .secret)] {
                let texts = try bed.receivedText(from: service, partner: partner, clearance: clearance)
                #expect(!texts.contains { $0.contains("AL-1") || $0.contains("Armed group") }, "\(service) to \(partner): \(texts)")
            }
            #expect(!(try bed.receivedText(from: service, partner: "UNMISS", clearance: .secret)).contains { $0.contains("Avoid road") })
        }
        #expect(!(try bed.received(from: "training", partner: "UNMISS", clearance: .secret)).contains("training.conflict.raised"))

        _ = try await client.send("cmd.intelligence.alert.lift", ["alert": "AL-1"])
        #expect(try await eventually { try await routes()["R-1"] == false })
        #expect(try await eventually { try await bed.field("query.liaison.notice.get", ["notice": notice], "status") == "lifted" })
        #expect(try await eventually { try await bed.field("query.training.conflict.get", ["conflict": conflict], "status") == "resolved" })
        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
        #expect(try await bed.field("query.logistics.convoy.get", ["convoy": "CV-1"], "status") == "moving")
        await bed.stop()
    }

    @Test("while a convoy is halted by an alert, each of its partners is shown it only as far as the alert is released to them; once it moves, all see it again")
    func haltedConvoyShownAsTheAlertAllows() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        _ = try await client.send("cmd.logistics.route.define", ["route": .string("R-1"), "name": .string("Juba–Bor"),
                                                                "areas": .array([.string("Jonglei")])] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.plan", ["convoy": .string("CV-1"), "route": .string("R-1"),
                                                               "partners": .array([.string("WFP"), .string("MSF")])] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.assign-escort", ["convoy": "CV-1", "unit": "NLD-INF-2"])
        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
        // The tearline goes to WFP, not to MSF: MSF may not learn that something stopped the convoy.
        _ = try await client.send("cmd.intelligence.alert.raise", [
            "alert": .string("AL-1"), "area": .string("Jonglei"), "severity": .string("high"),
            "summary": .string("Ambush likely on the Juba–Bor road"), "expires": .string("2099-12-31T00:00:00Z"),
            "label": .object(["policy": .string("UN-MISSION"), "classification": .string("SECRET"), "releasableTo": .array([.string("NLD")])]),
            "tearline": .object(["summary": .string("Avoid road movements in Jonglei"),
                                 "label": .object(["policy": .string("UN-MISSION"), "classification": .string("RESTRICTED"),
                                                   "releasableTo": .array([.string("WFP")])])]),
        ] as [String: JSONValue])
        #expect(try await eventually { try await bed.field("query.logistics.convoy.get", ["convoy": "CV-1"], "status") == "halted" })

        func shown(to partner: String, _ type: String = "query.logistics.convoy.get") async throws -> Envelope {
            try await bed.request(type, Array(#"{"convoy":"CV-1"}"#.utf8), from: "partner/\(partner)", clearance: .restricted)
        }
        let toWFP = try await shown(to: "WFP")
        #expect(toWFP.type == "logistics.convoy.found")
        #expect(try toWFP.decodeData(Convoy.self).status == .halted)
        let toMSFHalted = try await shown(to: "MSF")
        #expect(toMSFHalted.type == "logistics.command.rejected")
        #expect(try toMSFHalted.decodeData(CommandClient.Rejection.self).code == "not_found")
        let listed = try await bed.request("query.logistics.convoy.list", Array("{}".utf8), from: "partner/MSF", clearance: .restricted)
        #expect(!String(decoding: listed.data ?? [], as: UTF8.self).contains("CV-1"))
        #expect(!(try bed.received(from: "logistics", partner: "MSF", clearance: .restricted)).contains("logistics.convoy.halted"))

        _ = try await client.send("cmd.intelligence.alert.lift", ["alert": "AL-1"])
        #expect(try await eventually {
            let listed = try await client.send("query.logistics.route.list", [String: String]()).decodeData([String: [Route]].self)
            return listed["routes"]?.first?.atRisk == false
        })
        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-1"])
        let toMSF = try await shown(to: "MSF")
        #expect(toMSF.type == "logistics.convoy.found")
        #expect(try toMSF.decodeData(Convoy.self).status == .moving)
        // What halted it is not carried on once it moves.
        #expect(!String(decoding: toMSF.data ?? [], as: UTF8.self).contains("haltedUnder"))
        await bed.stop()
    }
}
