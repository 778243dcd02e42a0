import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Testing
import Training

@Suite("Training lifecycles")
struct TrainingLifecycleTests {
    static func exercise(_ key: String, _ start: String, _ end: String, capacity: Int = 1) -> [String: JSONValue] {
        ["exercise": .string(key), "name": .string(key), "kind": .string("exercise"), "startDate": .string(start),
         "endDate": .string(end), "location": .string("Juba"), "organiser": .string("UNMISS"), "capacity": .integer(Int64(capacity))]
    }

    @Test("an enrolment goes applied → approved → invited → accepted; each event comes out; illegal moves are refused")
    func enrolment() async throws {
        let bed = try await ServiceTestBed.start(TrainingService())
        _ = try await bed.client.send("cmd.training.exercise.schedule", Self.exercise("EX-1", "2026-12-01", "2026-12-05"))
        _ = try await bed.client.send("cmd.training.enrolment.apply", ["enrolment": "EN-1", "exercise": "EX-1", "unit": "U1", "partner": "RWA"])
        for verb in ["approve", "invite", "accept"] {
            _ = try await bed.client.send("cmd.training.enrolment.\(verb)", ["enrolment": "EN-1"])
        }
        let refused = try await bed.rejection("cmd.training.enrolment.decline", ["enrolment": "EN-1"])
        #expect(refused.code == "illegal_transition" && refused.message.contains("accepted") && refused.message.contains("invited"))
        #expect(try bed.journalTypes() == ["training.exercise.scheduled", "training.enrolment.applied", "training.enrolment.approved",
                                           "training.enrolment.invited", "training.enrolment.accepted"])
        await bed.stop()
    }

    @Test("a full exercise refuses another approval and changes nothing")
    func capacity() async throws {
        let bed = try await ServiceTestBed.start(TrainingService())
        _ = try await bed.client.send("cmd.training.exercise.schedule", Self.exercise("EX-1", "2026-12-01", "2026-12-05", capacity: 1))
        for (enrolment, unit) in [("EN-1", "U1"), ("EN-2", "U2")] {
            _ = try await bed.client.send("cmd.training.enrolment.apply", ["enrolment": enrolment, "exercise": "EX-1", "unit": unit, "partner": "RWA"])
        }
        _ = try await bed.client.send("cmd.training.enrolment.approve", ["enrolment": "EN-1"])
        let full = try await bed.rejection("cmd.training.enrolment.approve", ["enrolment": "EN-2"])
        #expect(full.code == "illegal_transition" && full.message.contains("full"))
        #expect(try await bed.client.send("query.training.enrolment.get", ["enrolment": "EN-2"]).decodeData([String: JSONValue].self)["status"]?.stringValue == "applied")
        await bed.stop()
    }

    @Test("a unit in overlapping exercises is a conflict until one enrolment goes")
    func overlap() async throws {
        let bed = try await ServiceTestBed.start(TrainingService())
        _ = try await bed.client.send("cmd.training.exercise.schedule", Self.exercise("EX-A", "2026-12-01", "2026-12-10", capacity: 5))
        _ = try await bed.client.send("cmd.training.exercise.schedule", Self.exercise("EX-B", "2026-12-08", "2026-12-15", capacity: 5))
        _ = try await bed.client.send("cmd.training.enrolment.apply", ["enrolment": "EN-A", "exercise": "EX-A", "unit": "U1", "partner": "RWA"])
        _ = try await bed.client.send("cmd.training.enrolment.apply", ["enrolment": "EN-B", "exercise": "EX-B", "unit": "U1", "partner": "RWA"])
        let conflict = try await bed.client.send("query.training.conflict.get", ["conflict": "OVL-U1-EX-A-EX-B"]).decodeData([String: JSONValue].self)
        #expect(conflict["status"]?.stringValue == "open")
        _ = try await bed.client.send("cmd.training.enrolment.reject", ["enrolment": "EN-B"])
        let after = try await bed.client.send("query.training.conflict.get", ["conflict": "OVL-U1-EX-A-EX-B"]).decodeData([String: JSONValue].self)
        #expect(after["status"]?.stringValue == "resolved")
        await bed.stop()
    }

    @Test("bad schedules are refused", arguments: [
        (["startDate": JSONValue.string("2026-12-10"), "endDate": .string("2026-12-01")], "before it starts"),
        (["startDate": JSONValue.string("next week")], "not a date"),
        (["capacity": JSONValue.integer(0)], "capacity"),
    ])
    func badSchedules(change: [String: JSONValue], mentions: String) async throws {
        let bed = try await ServiceTestBed.start(TrainingService())
        let refused = try await bed.rejection("cmd.training.exercise.schedule", Self.exercise("EX-1", "2026-12-01", "2026-12-05").merging(change) { $1 })
        #expect(refused.code == "invalid_command" && refused.message.contains(mentions), "\(refused.message)")
        await bed.stop()
    }
}
