import Agents
import BusCore
import Contracts
import ConcordTestSupport
import Foundation
import Geography
import Logistics
import Testing

@Suite("Flow: geography, on real coordinates")
struct GeographyFlowTests {
    /// The Juba–Bor road as the shipped scenario defines it.
    static let jubaBorRoad: JSONValue = geoJSON(.lineString([
        (31.605, 4.870), (31.680, 5.000), (31.770, 5.200), (31.800, 5.450), (31.720, 5.700), (31.640, 5.950), (31.560, 6.200),
    ].map { Position(lon: $0.0, lat: $0.1) }))

    static func geoJSON(_ geometry: Geometry) -> JSONValue { JSONValue(geometry) }

    static func square(southWest corner: Position, size: Double) -> Geometry {
        .polygon([[corner, corner.offset(east: size, north: 0), corner.offset(east: size, north: size), corner.offset(east: 0, north: size), corner]])
    }

    static func alert(_ alert: String, _ polygon: Geometry) -> [String: JSONValue] {
        ["alert": .string(alert), "area": .string("near the Juba–Bor road"), "polygon": geoJSON(polygon), "severity": "high",
         "summary": .string("Armed group at \(alert)"), "expires": "2099-12-31T00:00:00Z",
         "label": ["policy": "UN-MISSION", "classification": "UNCLASSIFIED", "releasableTo": ["NLD", "WFP", "MSF", "UNMISS"]]]
    }

    @Test("an alert area crossing the Juba–Bor road puts it at risk and one 5 km away does not; sites and exercises inside an alert area are affected, those outside are not")
    func geometricFlows() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        _ = try await client.send("cmd.logistics.route.define", ["route": "R-1", "name": "Juba–Bor road", "areas": ["Central Equatoria", "Jonglei"],
                                                                "path": Self.jubaBorRoad] as [String: JSONValue])
        // An older route, defined by its areas only: matched by name, so neither alert concerns it.
        _ = try await client.send("cmd.logistics.route.define", ["route": "R-2", "name": "Bentiu road", "areas": ["Unity"]] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.plan", ["convoy": "CV-1", "route": "R-1", "partners": ["WFP"]] as [String: JSONValue])

        // Across the road at Mongalla; and a square whose nearest edge is 5 km east of it.
        let across = Self.square(southWest: Position(lon: 31.785, lat: 5.325).offset(east: -5_000, north: -5_000), size: 10_000)
        let beside = Self.square(southWest: Position(lon: 31.788, lat: 5.30).offset(east: 5_000, north: 0), size: 5_000)
        let inside = Position(lon: 31.785, lat: 5.325).offset(east: 2_000, north: 2_000)
        let besideSite = Position(lon: 31.788, lat: 5.30).offset(east: 7_500, north: 2_500)
        for (notification, partner, point) in [("HN-IN", "WFP", inside), ("HN-BESIDE", "MSF", besideSite),
                                               ("HN-BOR", "MSF", MissionAreas.named("Bor")!.point)] {
            _ = try await client.send("cmd.liaison.notification.notify", [
                "notification": .string(notification), "partner": .string(partner), "kind": "site", "location": "Jonglei",
                "point": JSONValue(point), "from": "2026-11-01", "until": "2099-01-31"] as [String: JSONValue])
        }
        for (exercise, location, point) in [("EX-IN", "Central Equatoria", JSONValue(inside)), ("EX-BOR", "Bor", .null)] {
            var data: [String: JSONValue] = ["exercise": .string(exercise), "name": .string(exercise), "kind": "exercise",
                                             "startDate": "2026-12-01", "endDate": "2026-12-10", "location": .string(location),
                                             "organiser": "UNMISS", "capacity": 4]
            if point != .null { data["point"] = point }
            _ = try await client.send("cmd.training.exercise.schedule", data)
        }

        _ = try await client.send("cmd.intelligence.alert.raise", Self.alert("AL-BESIDE", beside))
        _ = try await client.send("cmd.intelligence.alert.raise", Self.alert("AL-ACROSS", across))
        @Sendable func atRisk() async throws -> [String: Bool] {
            let listed = try await client.send("query.logistics.route.list", [String: String]()).decodeData([String: [Route]].self)
            return Dictionary(uniqueKeysWithValues: (listed["routes"] ?? []).map { ($0.route, $0.atRisk) })
        }
        #expect(try await eventually { try await atRisk() == ["R-1": true, "R-2": false] })
        // Each alert's notice goes to the partners whose sites lie in its area, and no other.
        #expect(try await eventually { try await bed.field("query.liaison.notice.get", ["notice": "DN-AL-ACROSS"], "status") == "issued" })
        #expect(try await eventually { try await bed.field("query.liaison.notice.get", ["notice": "DN-AL-BESIDE"], "status") == "issued" })
        let acrossNotice = try await client.send("query.liaison.notice.get", ["notice": "DN-AL-ACROSS"]).decodeData([String: JSONValue].self)
        let besideNotice = try await client.send("query.liaison.notice.get", ["notice": "DN-AL-BESIDE"]).decodeData([String: JSONValue].self)
        #expect(acrossNotice["partners"] == ["WFP"])
        #expect(besideNotice["partners"] == ["MSF"])
        // The exercise whose point lies in the area conflicts; the one in Bor, 100 km north, does not.
        #expect(try await eventually { try await bed.field("query.training.conflict.get", ["conflict": "ALR-EX-IN-AL-ACROSS"], "status") == "open" })
        let conflicts = try await client.send("query.training.conflict.list", [String: String]()).decodeData([String: JSONValue].self)
        #expect(!"\(conflicts)".contains("EX-BOR"))

        // With the crossing alert lifted and the one beside still active, the road is clear.
        _ = try await client.send("cmd.intelligence.alert.lift", ["alert": "AL-ACROSS"])
        #expect(try await eventually { try await atRisk() == ["R-1": false, "R-2": false] })
        await bed.stop()
    }

    @Test("the mission's areas are the same for every partner and every member of staff, states or towns")
    func missionAreas() async throws {
        let bed = try await FlowBed.start()
        for source in ["partner/MSF", "operator/admin"] {
            let answer = try await bed.request("query.registry.area.list", Array(#"{"kind":"town"}"#.utf8), from: source, clearance: .unclassified)
            #expect(answer.type == "registry.areas.listed", "\(source): \(answer.type)")
            let areas = try answer.decodeData([String: [MissionArea]].self)["areas"] ?? []
            #expect(areas.map(\.area) == ["Juba", "Bor", "Bentiu", "Malakal"])
        }
        await bed.stop()
    }

    @Test("a convoy's partners and the logistics cell report its position, which goes to those who see the convoy; others are refused")
    func convoyPositions() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        _ = try await client.send("cmd.logistics.route.define", ["route": "R-1", "name": "Juba–Bor road", "areas": ["Jonglei"],
                                                                "path": Self.jubaBorRoad] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.plan", ["convoy": "CV-1", "route": "R-1", "partners": ["WFP"]] as [String: JSONValue])
        let report = Array(#"{"convoy":"CV-1","position":[31.70,5.05]}"#.utf8)
        let byWFP = try await bed.request("cmd.logistics.convoy.report-position", report, from: "partner/WFP", clearance: .restricted)
        #expect(byWFP.type == "logistics.convoy.position-reported")
        #expect(try byWFP.decodeData(Convoy.self).position == Position(lon: 31.70, lat: 5.05))
        let byMSF = try await bed.request("cmd.logistics.convoy.report-position", report, from: "partner/MSF", clearance: .restricted)
        #expect(byMSF.type == "logistics.command.rejected")
        // Not its convoy: to MSF it does not exist.
        #expect(try byMSF.decodeData(CommandClient.Rejection.self).code == "not_found")
        let offMap = try await bed.request("cmd.logistics.convoy.report-position", Array(#"{"convoy":"CV-1","position":[31.7,95]}"#.utf8),
                                           from: "partner/WFP", clearance: .restricted)
        #expect(try offMap.decodeData(CommandClient.Rejection.self).message.contains("longitude, latitude"))
        // A route's path is a line: an area in its place is refused with the reason.
        let notALine = try await bed.request("cmd.logistics.route.define", Array(try JSONCoding.encoder.encode([
            "route": "R-9", "name": "Nowhere", "areas": ["Jonglei"], "path": JSONValue(MissionAreas.named("Bor")!.geometry)] as [String: JSONValue])),
            from: "operator/admin")
        #expect(try notALine.decodeData(CommandClient.Rejection.self).message.contains("a route's path is a LineString, not a Polygon"))
        #expect(try bed.received(from: "logistics", partner: "WFP", clearance: .restricted).contains("logistics.convoy.position-reported"))
        #expect(!(try bed.received(from: "logistics", partner: "MSF", clearance: .secret)).contains("logistics.convoy.position-reported"))
        await bed.stop()
    }
}
