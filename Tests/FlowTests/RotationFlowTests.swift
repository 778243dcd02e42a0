import Agents
import BusCore
import ConcordTestSupport
import Contracts
import Foundation
import Registry
import Testing

@Suite("Flow: rotation against exercise")
struct RotationFlowTests {
    @Test("a rotation that takes a unit away before an exercise ends raises a training conflict; rescheduling the exercise resolves it")
    func rotationAgainstExercise() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        _ = try await client.send("cmd.registry.partner.register", RegistryMessages.RegisterPartner(code: "RWA", name: "Rwanda", kind: .troopContributingCountry, clearance: .restricted))
        for (unit, type) in [("RWA-INF-2", MissionUnit.UnitType.infantry), ("RWA-MED-1", .medical)] {
            _ = try await client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
                unit: unit, partner: "RWA", type: type, strength: 140, readiness: .ready, location: .init(name: "Juba")))
        }
        _ = try await client.send("cmd.training.exercise.schedule", [
            "exercise": .string("EX-1"), "name": .string("Joint convoy protection"), "kind": .string("exercise"),
            "startDate": .string("2026-12-01"), "endDate": .string("2026-12-20"), "location": .string("Juba"),
            "organiser": .string("UNMISS"), "capacity": .integer(2), "requiredUnitTypes": .array([.string("infantry")]),
        ] as [String: JSONValue])
        // Training learns unit types from the registry's events; a medical unit does not fit an infantry exercise.
        let wrongType: CommandClient.Rejection? = try await {
            for _ in 0..<100 {
                do {
                    _ = try await client.send("cmd.training.enrolment.apply", ["enrolment": "EN-0", "exercise": "EX-1", "unit": "RWA-MED-1", "partner": "RWA"])
                    return nil
                } catch let refusal as CommandClient.Rejection where refusal.code == "not_found" {
                    try await Task.sleep(for: .milliseconds(50))
                } catch let refusal as CommandClient.Rejection {
                    return refusal
                }
            }
            return nil
        }()
        #expect(wrongType?.code == "invalid_command" && wrongType?.message.contains("medical") == true)
        _ = try await client.send("cmd.training.enrolment.apply", ["enrolment": "EN-1", "exercise": "EX-1", "unit": "RWA-INF-2", "partner": "RWA"])
        _ = try await client.send("cmd.training.enrolment.approve", ["enrolment": "EN-1"])

        _ = try await client.send("cmd.logistics.rotation.schedule", ["rotation": "ROT-9", "unit": "RWA-INF-2", "partner": "RWA",
                                                                     "outDate": "2026-12-10", "inDate": "2026-12-08"])
        #expect(try await eventually { try await bed.field("query.training.conflict.get", ["conflict": "ROT-EX-1-ROT-9"], "status") == "open" })
        let detail = try await bed.field("query.training.conflict.get", ["conflict": "ROT-EX-1-ROT-9"], "detail")
        #expect(detail?.contains("rotates out on 2026-12-10") == true)

        _ = try await client.send("cmd.training.exercise.reschedule", ["exercise": "EX-1", "startDate": "2026-11-28", "endDate": "2026-12-08"])
        #expect(try await bed.field("query.training.conflict.get", ["conflict": "ROT-EX-1-ROT-9"], "status") == "resolved")

        // The conflict is computed from RWA's rotation, which is released to RWA only: RWA is
        // told, and the organiser (UNMISS) is not, for it may not see the rotation.
        #expect(try bed.received(from: "training", partner: "RWA", clearance: .restricted).contains("training.conflict.raised"))
        #expect(try bed.received(from: "training", partner: "RWA", clearance: .restricted).contains("training.conflict.resolved"))
        #expect(!(try bed.received(from: "training", partner: "UNMISS", clearance: .secret)).contains("training.conflict.raised"))
        #expect(!(try bed.received(from: "training", partner: "NLD", clearance: .secret)).contains("training.conflict.raised"))
        await bed.stop()
    }

    @Test("certifying a unit makes it ready in the registry")
    func certification() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        _ = try await client.send("cmd.registry.partner.register", RegistryMessages.RegisterPartner(code: "GHA", name: "Ghana", kind: .troopContributingCountry, clearance: .restricted))
        _ = try await client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
            unit: "GHA-MED-1", partner: "GHA", type: .medical, strength: 40, readiness: .limited, location: .init(name: "Wau")))
        _ = try await client.send("cmd.training.exercise.schedule", [
            "exercise": .string("C-1"), "name": .string("Casualty evacuation course"), "kind": .string("course"),
            "startDate": .string("2026-11-01"), "endDate": .string("2026-11-05"), "location": .string("Wau"),
            "organiser": .string("UNMISS"), "capacity": .integer(10)] as [String: JSONValue])
        _ = try await client.send("cmd.training.unit.certify", ["unit": "GHA-MED-1", "partner": "GHA", "exercise": "C-1", "expires": "2027-11-05"])
        #expect(try await eventually {
            let units = try await client.send("query.registry.unit.list", RegistryMessages.ListUnits(partner: "GHA"), expecting: RegistryMessages.UnitList.self)
            return units.units.first?.readiness == .ready
        })
        await bed.stop()
    }
}
