import Agents
import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import Intelligence
import Testing

@Suite("Intelligence lifecycles and labels")
struct IntelligenceLifecycleTests {
    static func label(_ classification: String, _ partners: [String]) -> JSONValue {
        .object(["policy": .string("UN-MISSION"), "classification": .string(classification), "releasableTo": .array(partners.map(JSONValue.string))])
    }

    static let report: [String: JSONValue] = [
        "report": .string("RP-1"), "kind": .string("incident"), "title": .string("Checkpoint shooting"),
        "content": .string("Two armed men fired on a checkpoint at Bor bridge; no casualties."),
        "location": .string("Bor"), "observedAt": .string("2026-11-20T06:30:00Z"), "reliability": .string("B2"),
        "label": label("CONFIDENTIAL", ["NLD", "AU"]),
        "tearline": .object(["summary": .string("Security incident at Bor bridge"), "label": label("UNCLASSIFIED", ["NLD", "AU", "WFP"])]),
    ]

    /// The label each journaled event was given, by type.
    func labels(_ bed: ServiceTestBed) throws -> [String: (String?, [String])] {
        try bed.read { db in
            var labels: [String: (String?, [String])] = [:]
            for bytes in try Data.fetchAll(db, sql: "SELECT envelope FROM journal ORDER BY sequence") {
                let envelope = try EnvelopeCodec.decode(Array(bytes))
                labels[envelope.type] = (envelope.classification, envelope.releasableTo)
            }
            return labels
        }
    }

    @Test("a filed report carries its own label; its tearline goes out separately, lower and wider")
    func reportAndTearline() async throws {
        let bed = try await ServiceTestBed.start(IntelligenceService())
        _ = try await bed.client.send("cmd.intelligence.report.file", Self.report)
        let labels = try labels(bed)
        #expect(labels["intelligence.report.filed"]?.0 == "CONFIDENTIAL")
        #expect(labels["intelligence.report.filed"]?.1 == ["NLD", "AU"])
        #expect(labels["intelligence.report.tearline-issued"]?.0 == "UNCLASSIFIED")
        #expect(labels["intelligence.report.tearline-issued"]?.1 == ["NLD", "AU", "WFP"])
        let tearline = try bed.read { db in
            try String.fetchOne(db, sql: "SELECT envelope FROM journal WHERE type = 'intelligence.report.tearline-issued'")!
        }
        #expect(!tearline.contains("Two armed men"), "a tearline must not carry the content above it")
        await bed.stop()
    }

    @Test("release decisions are recorded; a granted one sends the report to that partner only")
    func releaseDecisions() async throws {
        let bed = try await ServiceTestBed.start(IntelligenceService())
        _ = try await bed.client.send("cmd.intelligence.report.file", Self.report)
        _ = try await bed.client.send("cmd.intelligence.release.decide", ["report": "RP-1", "partner": "ECOWAS", "decision": "granted", "reason": "joint patrol"])
        _ = try await bed.client.send("cmd.intelligence.release.decide", ["report": "RP-1", "partner": "MSF", "decision": "denied", "reason": "need to know"])
        #expect(try labels(bed)["intelligence.report.released"]?.1 == ["ECOWAS"])
        let decisions = try bed.read { db in try String.fetchAll(db, sql: "SELECT partner || ':' || decision FROM release_decision ORDER BY id") }
        #expect(decisions == ["ECOWAS:granted", "MSF:denied"])
        _ = try await bed.client.send("cmd.intelligence.report.retract", ["report": "RP-1"])
        let refused = try await bed.rejection("cmd.intelligence.release.decide", ["report": "RP-1", "partner": "AU", "decision": "granted", "reason": "x"])
        #expect(refused.code == "illegal_transition")
        await bed.stop()
    }

    @Test("alerts are raised, then lifted or expired, once")
    func alertLifecycle() async throws {
        let bed = try await ServiceTestBed.start(IntelligenceService())
        for alert in ["AL-1", "AL-2"] {
            _ = try await bed.client.send("cmd.intelligence.alert.raise", [
                "alert": .string(alert), "area": .string("Unity"), "severity": .string("medium"), "summary": .string("Flooding"),
                "expires": .string("2099-12-01T00:00:00Z"), "label": Self.label("UNCLASSIFIED", ["WFP"]),
            ] as [String: JSONValue])
        }
        _ = try await bed.client.send("cmd.intelligence.alert.lift", ["alert": "AL-1"])
        _ = try await bed.client.send("cmd.intelligence.alert.expire", ["alert": "AL-2"])
        let again = try await bed.rejection("cmd.intelligence.alert.lift", ["alert": "AL-2"])
        #expect(again.code == "illegal_transition" && again.message.contains("expired"))
        #expect(try bed.journalTypes() == ["intelligence.alert.raised", "intelligence.alert.raised", "intelligence.alert.lifted", "intelligence.alert.expired"])
        await bed.stop()
    }

    @Test("bad reports are refused with clear errors", arguments: [
        ("reliability", JSONValue.string("Z9"), "grading"),
        ("observedAt", JSONValue.string("yesterday"), "RFC 3339"),
        ("tearline", JSONValue.object(["summary": .string("x"), "label": label("SECRET", ["WFP"])]), "above its content"),
        ("label", label("TOPSECRET", ["NLD"]), "label"),
    ])
    func badReports(field: String, value: JSONValue, mentions: String) async throws {
        let bed = try await ServiceTestBed.start(IntelligenceService())
        var report = Self.report
        report[field] = value
        let refusal = try await bed.rejection("cmd.intelligence.report.file", report)
        #expect(refusal.code == "invalid_command")
        #expect(refusal.message.contains(mentions), "\(refusal.message)")
        await bed.stop()
    }
}

@Suite("Answers to partners keep the content's label")
struct AnswerLabelTests {
    func ask(_ bed: ServiceTestBed, as partner: String, _ type: String, _ data: String) async throws -> Envelope {
        var query = Envelope(id: UUID().uuidString, source: PartnerSource.source(for: partner), type: type, data: Array(data.utf8))
        query.idempotencyKey = query.id
        query.extensions["clearance"] = "SECRET"
        return try await bed.connection.request(query, timeout: .seconds(5))
    }

    @Test("a partner named on a report gets it at the report's classification; for one not named the report does not exist")
    func reportAnswers() async throws {
        let bed = try await ServiceTestBed.start(IntelligenceService())
        _ = try await bed.client.send("cmd.intelligence.report.file", IntelligenceLifecycleTests.report)
        let named = try await ask(bed, as: "AU", "query.intelligence.report.get", #"{"report":"RP-1"}"#)
        #expect(named.type == "intelligence.report.found")
        #expect(named.classification == "CONFIDENTIAL" && named.releasableTo == ["AU"])
        let other = try await ask(bed, as: "WFP", "query.intelligence.report.get", #"{"report":"RP-1"}"#)
        let refusal = try other.decodeData(CommandClient.Rejection.self)
        #expect(other.type == "intelligence.command.rejected" && refusal.code == "not_found", "\(refusal)")
        let missing = try await ask(bed, as: "WFP", "query.intelligence.report.get", #"{"report":"RP-404"}"#)
        #expect(try missing.decodeData(CommandClient.Rejection.self).message == refusal.message.replacingOccurrences(of: "RP-1", with: "RP-404"),
                "a report the partner may not see answers as one that does not exist")
        let list = try await ask(bed, as: "WFP", "query.intelligence.report.list", "{}")
        #expect(try list.decodeData([String: [Report]].self)["reports"]?.isEmpty == true)
        await bed.stop()
    }
}
