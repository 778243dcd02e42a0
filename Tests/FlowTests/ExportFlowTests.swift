import Agents
import BusCore
import ConcordTestSupport
import Contracts
import Foundation
import Registry
import Testing

@Suite("Flow: standard exports, per partner")
struct ExportFlowTests {
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Conformance/exports_check.py").standardized.path

    static func alert(_ alert: String, area: String, classification: String, to partners: [String],
                      tearlineTo: [String]? = nil, exercise: Bool = false) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "alert": .string(alert), "area": .string(area), "severity": "high", "summary": .string("Summary of \(alert)"),
            "expires": "2099-12-31T00:00:00Z", "exercise": .bool(exercise),
            "label": ["policy": "UN-MISSION", "classification": .string(classification), "releasableTo": .array(partners.map(JSONValue.string))],
        ]
        if let tearlineTo {
            data["tearline"] = ["summary": "Avoid the road", "label": ["policy": "UN-MISSION", "classification": "RESTRICTED",
                                                                         "releasableTo": .array(tearlineTo.map(JSONValue.string))]]
        }
        return data
    }

    @Test("alerts as CAP 1.2 (raise, lift, expire as Alert, Update, Cancel; Exercise for scenario traffic), layers as GeoJSON and KML, units, requests, pledges and sites as HXL: each valid for others' tools, and each partner's holding only what it may see")
    func exports() async throws {
        let bed = try await FlowBed.start()
        let client = bed.client
        for code in ["NLD", "WFP", "MSF", "RWA"] {
            _ = try await client.send("cmd.registry.partner.register", RegistryMessages.RegisterPartner(code: code, name: code, kind: .ngo, clearance: .secret))
            _ = try await client.send("cmd.registry.partner.admit", RegistryMessages.PartnerTransition(code: code))
        }
        _ = try await client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
            unit: "NLD-INF-1", partner: "NLD", type: .infantry, strength: 150, location: .init(name: "Juba", lat: 4.859, lon: 31.571)))
        _ = try await client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
            unit: "RWA-MED-1", partner: "RWA", type: .medical, strength: 40, location: .init(name: "Bor")))
        // Secret, to NLD with a tearline to WFP; an exercise alert all three may see, then lifted; one that expires.
        _ = try await client.send("cmd.intelligence.alert.raise", Self.alert("AL-SECRET", area: "Jonglei", classification: "SECRET", to: ["NLD"], tearlineTo: ["WFP"]))
        _ = try await client.send("cmd.intelligence.alert.raise", Self.alert("AL-DRILL", area: "Bor", classification: "UNCLASSIFIED",
                                                                           to: ["NLD", "WFP", "MSF"], exercise: true))
        _ = try await client.send("cmd.intelligence.alert.raise", Self.alert("AL-OLD", area: "Unity", classification: "UNCLASSIFIED", to: ["NLD"]))
        _ = try await client.send("cmd.intelligence.alert.lift", ["alert": "AL-DRILL"])
        _ = try await client.send("cmd.intelligence.alert.expire", ["alert": "AL-OLD"])
        _ = try await client.send("cmd.logistics.route.define", ["route": "R-1", "name": "Juba–Bor road", "areas": ["Jonglei"]] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.route.define", ["route": "R-2", "name": "Juba–Bor road", "areas": ["Jonglei"],
                                                                "path": GeographyFlowTests.jubaBorRoad] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.plan", ["convoy": "CV-1", "route": "R-1", "partners": ["WFP"]] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.convoy.report-position", ["convoy": "CV-1", "position": [.double(31.7), .double(5.05)]] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.request.create", [
            "request": "REQ-1", "requester": "WFP", "destination": "Bor", "neededBy": "2026-12-03", "priority": "high",
            "items": [["item": "water", "quantity": 20000, "unit": "litres"], ["item": "tents", "quantity": 40, "unit": "each"]],
        ] as [String: JSONValue])
        _ = try await client.send("cmd.logistics.request.submit", ["request": "REQ-1"])
        _ = try await client.send("cmd.logistics.request.approve", ["request": "REQ-1"])
        _ = try await client.send("cmd.logistics.pledge.offer", ["pledge": "PL-1", "request": "REQ-1", "partner": "NLD",
                                                                "items": [["item": "water", "quantity": 20000, "unit": "litres"]]] as [String: JSONValue])
        for (site, partner, point) in [("HN-1", "WFP", [31.62, 6.02]), ("HN-2", "MSF", [31.58, 6.10])] {
            _ = try await client.send("cmd.liaison.notification.notify", [
                "notification": .string(site), "partner": .string(partner), "kind": "site", "location": "Jonglei",
                "point": .array(point.map(JSONValue.double)), "from": "2026-11-01", "until": "2099-01-31"] as [String: JSONValue])
        }
        _ = try await client.send("cmd.training.exercise.schedule", ["exercise": "EX-1", "name": "Bor drill", "kind": "exercise",
                                                                    "startDate": "2026-12-01", "endDate": "2026-12-10", "location": "Bor",
                                                                    "organiser": "NLD", "capacity": 4] as [String: JSONValue])

        let folder = try TemporaryFolder()
        var expect: [String: JSONValue] = [:]
        var texts: [String: [String]] = [:]
        /// Exports `query` as `who` (a partner, or staff) and notes what each file must hold.
        func export(_ query: String, _ format: String, as who: String, _ wanted: [String: JSONValue], files: Int = 1) async throws {
            let data = Array(try JSONCoding.encoder.encode(["format": format]))
            let answer = who == "staff" ? try await client.send(query, ["format": format])
                                        : try await bed.request(query, data, from: "partner/\(who)", clearance: .secret)
            #expect(answer.type.hasSuffix(".exported"), "\(query) as \(who): \(answer.type) \(String(decoding: answer.data ?? [], as: UTF8.self))")
            let exported = try answer.decodeData(Export.self)
            #expect(exported.files.count == files, "\(query) \(format) as \(who)")
            for file in exported.files {
                let name = "\(who)__\(file.name)"
                try file.content.write(toFile: folder.path(name), atomically: true, encoding: .utf8)
                expect[name] = .object(wanted)
                texts[who, default: []].append(file.content)
            }
        }
        try await export("query.intelligence.alert.export", "cap", as: "staff", [:], files: 3)
        try await export("query.intelligence.alert.export", "geojson", as: "NLD", ["count": 3])
        try await export("query.intelligence.alert.export", "kml", as: "WFP", ["count": 1])
        try await export("query.intelligence.alert.export", "cap", as: "MSF", ["status": "Exercise", "msgType": "Update"])
        try await export("query.logistics.convoy.export", "geojson", as: "WFP", ["count": 1])
        try await export("query.logistics.convoy.export", "kml", as: "MSF", ["count": 0])
        try await export("query.logistics.request.export", "hxl", as: "WFP",
                         ["count": 2, "tags": ["#org", "#item+name", "#loc", "#geo+lat", "#geo+lon"]])
        try await export("query.logistics.pledge.export", "hxl", as: "NLD", ["count": 1, "tags": ["#org+provider", "#item+name"]])
        try await export("query.registry.unit.export", "hxl", as: "staff", ["count": 2, "tags": ["#org", "#sector", "#loc", "#geo+lat", "#geo+lon"]])
        try await export("query.registry.unit.export", "geojson", as: "NLD", ["count": 1])
        try await export("query.liaison.notification.export", "hxl", as: "WFP", ["count": 1, "tags": ["#org", "#loc", "#geo+lat", "#geo+lon"]])
        try await export("query.liaison.notification.export", "geojson", as: "staff", ["count": 2])
        try await export("query.training.exercise.export", "kml", as: "staff", ["count": 1])
        try await export("query.logistics.route.export", "geojson", as: "WFP", ["count": 1])
        try await export("query.logistics.route.export", "kml", as: "MSF", ["count": 1])
        // The secret alert on Jonglei puts the road at risk: WFP learns it through the tearline,
        // MSF not at all.
        #expect(texts["WFP"]?.last?.contains(#""atRisk":"true""#) == true)
        #expect(texts["MSF"]?.last?.contains("<Data name=\"atRisk\"><value>false</value></Data>") == true)
        // The CAP messages of each state, by name.
        expect["staff__alerts-AL-SECRET.cap.xml"] = ["status": "Actual", "msgType": "Alert"]
        expect["staff__alerts-AL-DRILL.cap.xml"] = ["status": "Exercise", "msgType": "Update"]
        expect["staff__alerts-AL-OLD.cap.xml"] = ["status": "Actual", "msgType": "Cancel"]
        try JSONCoding.encoder.encode(expect).write(to: URL(fileURLWithPath: folder.path("expect.json")))

        let (status, output) = try await ChildProcess.run("python3", [Self.checker, folder.url.path], logPath: folder.path("check.log"), timeout: .seconds(120))
        print(output)
        #expect(status == 0, "\(output)")
        #expect(output.contains("\(expect.count) files, 0 failed"))

        // Nothing in a partner's exports that it may not see.
        let secret = ["AL-SECRET", "Summary of AL-SECRET"]
        for partner in ["WFP", "MSF"] {
            for text in texts[partner] ?? [] { #expect(!secret.contains { text.contains($0) }, "\(partner)'s export: \(text)") }
        }
        #expect(!(texts["MSF"] ?? []).joined().contains("CV-1"))
        #expect(!(texts["NLD"] ?? []).joined().contains("RWA-MED-1"))
        // A format a layer is not offered in is refused with the formats it has.
        let refused = try await bed.request("query.logistics.convoy.export", Array(#"{"format":"cap"}"#.utf8), from: "partner/WFP")
        #expect(try refused.decodeData(CommandClient.Rejection.self).message.contains("formats: geojson, kml"))
        folder.remove()
        await bed.stop()
    }

    @Test("an alert a partner may see only through its tearline is on the partner's map as the tearline: the named area the J2 released, the tearline's summary and label, under a pseudonym; a partner who may see neither gets nothing; an area that is not the mission's is refused")
    func tearlineOnTheMap() async throws {
        let bed = try await FlowBed.start()
        var alert = Self.alert("AL-BOR", area: "south of Bor", classification: "SECRET", to: ["NLD"], tearlineTo: ["NLD", "WFP"])
        let ring: [[Double]] = [[31.50, 5.85], [31.78, 5.85], [31.78, 6.12], [31.50, 6.12], [31.50, 5.85]]
        alert["polygon"] = ["type": "Polygon", "coordinates": .array([.array(ring.map { .array($0.map(JSONValue.double)) })])]
        var refused = alert
        refused["alert"] = "AL-NOWHERE"
        refused["tearline"] = ["summary": "Avoid the road", "area": "Atlantis",
                               "label": ["policy": "UN-MISSION", "classification": "RESTRICTED", "releasableTo": ["WFP"]]]
        await #expect { _ = try await bed.client.send("cmd.intelligence.alert.raise", refused) } throws: { error in
            "\(error)".contains("a tearline's area is one of the mission's named areas")
        }
        if case .object(var tearline) = alert["tearline"] {
            tearline["area"] = "Jonglei"
            alert["tearline"] = .object(tearline)
        }
        _ = try await bed.client.send("cmd.intelligence.alert.raise", alert)

        func layer(as partner: String, clearance: Classification) async throws -> (Envelope, [[String: Any]]) {
            let answer = try await bed.request("query.intelligence.alert.export", Array(#"{"format":"geojson"}"#.utf8),
                                               from: "partner/\(partner)", clearance: clearance)
            let content = try answer.decodeData(Export.self).files.first?.content ?? ""
            let collection = try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any]
            return (answer, collection?["features"] as? [[String: Any]] ?? [])
        }
        let (wfpAnswer, wfp) = try await layer(as: "WFP", clearance: .restricted)
        let properties = wfp.first?["properties"] as? [String: String] ?? [:]
        let geometry = wfp.first?["geometry"] as? [String: Any]
        #expect(wfp.count == 1 && (wfp.first?["id"] as? String)?.hasPrefix("alert-") == true, "\(wfp)")
        #expect(properties["tearline"] == "true" && properties["name"] == "Avoid the road" && properties["area"] == "Jonglei"
                && properties["classification"] == "RESTRICTED", "\(properties)")
        let jonglei = try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(MissionAreas.named("Jonglei")!.geometry)) as? [String: Any]
        #expect(NSDictionary(dictionary: geometry ?? [:]).isEqual(to: jonglei ?? [:]), "the tearline is drawn on Jonglei's outline, not the alert's polygon")
        #expect(wfpAnswer.classification == "RESTRICTED" && wfpAnswer.releasableTo == ["WFP"], "the layer is labelled as the tearline, for WFP")
        let text = String(decoding: wfpAnswer.data ?? [], as: UTF8.self)
        #expect(!text.contains("AL-BOR") && !text.contains("Summary of AL-BOR") && !text.contains("south of Bor") && !text.contains("31.78"))

        let (nldAnswer, nld) = try await layer(as: "NLD", clearance: .secret)
        #expect(nld.count == 1 && nld.first?["id"] as? String == "AL-BOR" && nldAnswer.classification == "SECRET")
        let (_, msf) = try await layer(as: "MSF", clearance: .unclassified)
        #expect(msf.isEmpty)
        _ = try await bed.client.send("cmd.intelligence.alert.lift", ["alert": "AL-BOR"])
        let (_, lifted) = try await layer(as: "WFP", clearance: .restricted)
        #expect(lifted.isEmpty, "a lifted alert's tearline leaves the map")
        await bed.stop()
    }
}
