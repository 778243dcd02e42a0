import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Testing

@Suite("Flow: expiry on the services' clocks")
struct ExpiryFlowTests {
    @Test("an alert expires when its time passes, and the route it put at risk clears without anyone acting")
    func alertExpires() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        _ = try await client.send("cmd.logistics.route.define", ["route": .string("R-9"), "name": .string("Wau–Aweil"),
                                                                "areas": .array([.string("Western Bahr el Ghazal")])] as [String: JSONValue])
        let expires = Timestamp.rfc3339(Date().addingTimeInterval(2))
        _ = try await client.send("cmd.intelligence.alert.raise", [
            "alert": .string("AL-9"), "area": .string("Western Bahr el Ghazal"), "severity": .string("medium"),
            "summary": .string("Cattle raid expected"), "expires": .string(expires),
            "label": .object(["policy": .string("UN-MISSION"), "classification": .string("RESTRICTED"), "releasableTo": .array([.string("WFP")])]),
        ] as [String: JSONValue])
        @Sendable func atRisk() async throws -> Bool? {
            try await client.send("query.logistics.route.list", [String: String]()).decodeData([String: [[String: JSONValue]]].self)["routes"]?
                .first { $0["route"]?.stringValue == "R-9" }.map { $0["atRisk"] == .bool(true) }
        }
        #expect(try await eventually { try await atRisk() == true })
        #expect(try await eventually { try await bed.field("query.intelligence.alert.get", ["alert": "AL-9"], "status") == "expired" })
        #expect(try await eventually { try await atRisk() == false })
        await bed.stop()
    }

    @Test("a humanitarian notification past its last day expires")
    func notificationExpires() async throws {
        let bed = try await FlowBed.start()
        _ = try await bed.client.send("cmd.liaison.notification.notify", ["notification": "HN-OLD", "partner": "WFP", "kind": "movement",
                                                                         "location": "Bentiu", "from": "2026-01-01", "until": "2026-01-02"])
        #expect(try await eventually { try await bed.field("query.liaison.notification.get", ["notification": "HN-OLD"], "status") == "expired" })
        await bed.stop()
    }
}
