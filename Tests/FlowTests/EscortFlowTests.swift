import Agents
import BusCore
import ConcordTestSupport
import Contracts
import Foundation
import Registry
import Testing

@Suite("Flow: escort")
struct EscortFlowTests {
    @Test("a validated escort request gets a convoy and an available infantry unit not rotating out; the unit is tasked, the movement notified, and the request completes on arrival")
    func escort() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        for (code, kind) in [("RWA", Partner.Kind.troopContributingCountry), ("WFP", .unBody)] {
            _ = try await client.send("cmd.registry.partner.register", RegistryMessages.RegisterPartner(code: code, name: code, kind: kind, clearance: .restricted))
            _ = try await client.send("cmd.registry.partner.admit", RegistryMessages.PartnerTransition(code: code))
        }
        for unit in ["RWA-INF-1", "RWA-INF-2"] {
            _ = try await client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
                unit: unit, partner: "RWA", type: .infantry, strength: 140, readiness: .ready, location: .init(name: "Juba")))
        }
        // RWA-INF-1 rotates out: it must not be picked.
        _ = try await client.send("cmd.logistics.rotation.schedule", ["rotation": "ROT-1", "unit": "RWA-INF-1", "partner": "RWA",
                                                                     "outDate": "2026-12-05", "inDate": "2026-12-01"])
        _ = try await client.send("cmd.logistics.route.define", ["route": .string("R-1"), "name": .string("Juba–Bor"),
                                                                "areas": .array([.string("Jonglei")])] as [String: JSONValue])
        _ = try await client.send("cmd.liaison.rfa.submit", [
            "rfa": "RFA-1", "requester": "WFP", "kind": "escort", "route": "R-1", "location": "Bor", "neededBy": "2026-11-25",
            "justification": "Armed escort required: no civilian security provider operates on the Juba–Bor road",
        ])
        _ = try await client.send("cmd.liaison.rfa.validate", ["rfa": "RFA-1"])

        #expect(try await eventually { try await bed.field("query.liaison.rfa.get", ["rfa": "RFA-1"], "status") == "tasked" })
        #expect(try await bed.field("query.logistics.convoy.get", ["convoy": "CV-RFA-1"], "escort") == "RWA-INF-2")
        #expect(try await eventually {
            let units = try await client.send("query.registry.unit.list", RegistryMessages.ListUnits(partner: "RWA"), expecting: RegistryMessages.UnitList.self)
            return units.units.first { $0.unit == "RWA-INF-2" }?.availability == .tasked
        })
        #expect(try await bed.field("query.liaison.notification.get", ["notification": "MV-CV-RFA-1"], "kind") == "movement")

        _ = try await client.send("cmd.logistics.convoy.depart", ["convoy": "CV-RFA-1"])
        _ = try await client.send("cmd.logistics.convoy.arrive", ["convoy": "CV-RFA-1"])
        #expect(try await eventually { try await bed.field("query.liaison.rfa.get", ["rfa": "RFA-1"], "status") == "completed" })
        #expect(try await eventually {
            let units = try await client.send("query.registry.unit.list", RegistryMessages.ListUnits(partner: "RWA"), expecting: RegistryMessages.UnitList.self)
            return units.units.first { $0.unit == "RWA-INF-2" }?.availability == .available
        })

        // What partners see: WFP follows its request and its convoy; RWA sees its own units, not WFP's request.
        let wfpLiaison = try bed.received(from: "liaison", partner: "WFP", clearance: .restricted)
        #expect(wfpLiaison.contains("liaison.rfa.tasked") && wfpLiaison.contains("liaison.rfa.completed") && wfpLiaison.contains("liaison.notification.notified"))
        #expect(try bed.received(from: "logistics", partner: "WFP", clearance: .restricted).contains("logistics.convoy.escort-assigned"))
        #expect(try bed.received(from: "liaison", partner: "RWA", clearance: .restricted).isEmpty)
        #expect(try bed.received(from: "registry", partner: "RWA", clearance: .restricted).contains("registry.unit.updated"))
        await bed.stop()
    }
}
