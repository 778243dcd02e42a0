import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Liaison
import Testing

@Suite("Liaison lifecycles")
struct LiaisonLifecycleTests {
    static let request: [String: String] = [
        "rfa": "RFA-1", "requester": "MSF", "kind": "medical", "location": "Malakal", "neededBy": "2026-12-01",
        "justification": "Mass-casualty incident beyond the capacity of every civilian provider in Upper Nile",
    ]

    @Test("a request for assistance goes submitted → validated → tasked → completed; illegal moves are refused")
    func rfa() async throws {
        let bed = try await ServiceTestBed.start(LiaisonService())
        _ = try await bed.client.send("cmd.liaison.rfa.submit", Self.request)
        let early = try await bed.rejection("cmd.liaison.rfa.complete", ["rfa": "RFA-1"])
        #expect(early.code == "illegal_transition" && early.message.contains("tasked"))
        for verb in ["validate", "task", "complete"] { _ = try await bed.client.send("cmd.liaison.rfa.\(verb)", ["rfa": "RFA-1"]) }
        #expect(try bed.journalTypes() == ["liaison.rfa.submitted", "liaison.rfa.validated", "liaison.rfa.tasked", "liaison.rfa.completed"])
        await bed.stop()
    }

    @Test("a request without a last-resort justification, or an escort without a route, is refused")
    func lastResort() async throws {
        let bed = try await ServiceTestBed.start(LiaisonService())
        var thin = Self.request
        thin["justification"] = "need help"
        #expect(try await bed.rejection("cmd.liaison.rfa.submit", thin).message.contains("last resort"))
        var escort = Self.request
        escort["kind"] = "escort"
        #expect(try await bed.rejection("cmd.liaison.rfa.submit", escort).message.contains("route"))
        await bed.stop()
    }

    @Test("a humanitarian notification is notified, acknowledged, then expires")
    func notification() async throws {
        let bed = try await ServiceTestBed.start(LiaisonService())
        _ = try await bed.client.send("cmd.liaison.notification.notify", ["notification": "HN-1", "partner": "WFP", "kind": "movement",
                                                                         "location": "Bentiu", "from": "2026-12-01", "until": "2026-12-02"])
        _ = try await bed.client.send("cmd.liaison.notification.acknowledge", ["notification": "HN-1"])
        _ = try await bed.client.send("cmd.liaison.notification.expire", ["notification": "HN-1"])
        #expect(try await bed.rejection("cmd.liaison.notification.acknowledge", ["notification": "HN-1"]).code == "illegal_transition")
        await bed.stop()
    }
}
