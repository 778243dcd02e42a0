import BusCore
import Contracts
import Foundation
import Geography
import GRDB
import ServiceKit

/// Filing reports, raising alerts, deciding releases.
enum IntelligenceCommands {
    static let service = "intelligence"

    struct FileReport: Decodable {
        var report: String
        var kind: Report.Kind
        var title: String
        var content: String
        var location: String
        var point: Position?
        var polygon: Geometry?
        var observedAt: String
        var reliability: String
        var label: SecurityLabel
        var tearline: Tearline?
    }

    struct RaiseAlert: Decodable {
        var alert: String
        var report: String?
        var area: String
        var point: Position?
        var polygon: Geometry?
        var severity: Alert.Severity
        var summary: String
        var expires: String
        var label: SecurityLabel
        var tearline: Tearline?
        var exercise: Bool?
    }

    struct DecideRelease: Decodable {
        var report: String
        var partner: String
        var decision: ReleaseDecision.Decision
        var reason: String
    }

    /// What a tearline carries: the summary, never the content above it. Version 2: the
    /// report or alert it comes from is named by a pseudonym (`report-…`, `alert-…`), and the
    /// location above the tearline is left out; what may go further is the summary.
    struct TearlineIssued: Codable {
        var source: String
        var kind: String
        var summary: String
        /// The named mission area released with the tearline, if the J2 gave one.
        var area: String?
    }

    /// The tearline event types, version 2, with the step from version 1 (which named the
    /// source and its location).
    static func tearlineType(_ name: String, summary: String, kind: String) -> MessageType {
        MessageType(name, version: 2, summary: summary, data: TearlineIssued.self,
                    upcasters: [1: { data in
                        data["source"] = .string(Pseudonym.of(data["source"]?.stringValue ?? "", kind: kind))
                        if case .object(var members) = data {
                            members["location"] = nil
                            data = .object(members)
                        }
                    }],
                    examples: [1: #"{"source":"AL-1","kind":"high","summary":"Avoid road movements in Jonglei","location":"Jonglei"}"#,
                               2: #"{"source":"\#(kind)-fa83da48e406","kind":"high","summary":"Avoid road movements in Jonglei"}"#])
            .labelled("the tearline's own label, no higher than the \(kind)'s")
    }

    static func file(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(FileReport.self)
        try check(reliability: input.reliability)
        guard Timestamp.parse(input.observedAt) != nil else {
            throw CommandError(.invalidCommand, "observedAt '\(input.observedAt)' is not an RFC 3339 time")
        }
        try check(input.tearline, under: input.label)
        let place = try Places.resolve(input.location, point: input.point, area: input.polygon)
        let report = Report(report: input.report, kind: input.kind, title: input.title, content: input.content,
                            location: input.location, point: place.point, polygon: place.area, observedAt: input.observedAt, reliability: input.reliability,
                            securityLabel: input.label, tearline: input.tearline, status: .filed)
        let result = try Transitions.create(report, service: service, event: "filed", in: context)
        if let tearline = input.tearline {
            try context.emit("intelligence.report.tearline-issued",
                             TearlineIssued(source: Pseudonym.of(report.report, kind: "report"), kind: report.kind.rawValue, summary: tearline.summary,
                                            area: tearline.area),
                             label: tearline.label.label)
        }
        return result
    }

    static func raise(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(RaiseAlert.self)
        guard Timestamp.parse(input.expires) != nil else {
            throw CommandError(.invalidCommand, "expires '\(input.expires)' is not an RFC 3339 time")
        }
        guard !input.area.isEmpty else { throw CommandError(.invalidCommand, "an alert needs an area") }
        if let report = input.report { _ = try Transitions.existing(Report.self, report, in: context.db) }
        try check(input.tearline, under: input.label)
        let place = try Places.resolve(input.area, point: input.point, area: input.polygon)
        let alert = Alert(alert: input.alert, report: input.report, area: input.area, point: place.point, polygon: place.area, severity: input.severity,
                          summary: input.summary, expires: input.expires, securityLabel: input.label,
                          tearline: input.tearline, status: .active, raisedAt: Timestamp.rfc3339(context.commandTime),
                          exercise: input.exercise)
        let result = try Transitions.create(alert, service: service, event: "raised", in: context)
        if let tearline = input.tearline {
            try context.emit("intelligence.alert.tearline-issued",
                             TearlineIssued(source: AlertDisclosure.pseudonym(of: alert.alert), kind: alert.severity.rawValue, summary: tearline.summary,
                                            area: tearline.area),
                             label: tearline.label.label)
        }
        return result
    }

    static func decide(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(DecideRelease.self)
        let report = try Transitions.existing(Report.self, input.report, in: context.db)
        guard report.status == .filed else {
            throw CommandError(.illegalTransition, "report '\(report.report)' is \(report.status.rawValue); only filed reports are released")
        }
        let decision = ReleaseDecision(report: input.report, partner: input.partner, decision: input.decision,
                                       reason: input.reason, decidedAt: Timestamp.rfc3339(context.commandTime))
        try decision.insert(context.db)
        try context.emit("intelligence.release.decided", decision, label: .internalOnly)
        if input.decision == .granted {
            // The report goes to that partner at its own classification; the gateway still checks clearance.
            try context.emit("intelligence.report.released", report,
                             label: Label(report.securityLabel.classification, releasableTo: [input.partner]))
        }
        return try CommandResult("intelligence.release.decided", decision)
    }

    static func check(reliability: String) throws {
        let characters = Array(reliability)
        guard characters.count == 2, ("A"..."F").contains(characters[0]), ("1"..."6").contains(characters[1]) else {
            throw CommandError(.invalidCommand, "reliability '\(reliability)' is not a grading A–F with 1–6, e.g. B2")
        }
    }

    static func check(_ tearline: Tearline?, under label: SecurityLabel) throws {
        guard let tearline else { return }
        guard tearline.label.classification <= label.classification else {
            throw CommandError(.invalidCommand, "a tearline cannot be classified above its content (\(label.classification.rawValue))")
        }
        guard !tearline.summary.isEmpty else { throw CommandError(.invalidCommand, "a tearline needs a summary") }
        if let area = tearline.area, MissionAreas.named(area) == nil {
            throw CommandError(.invalidCommand, "a tearline's area is one of the mission's named areas (\(MissionAreas.all.map(\.area).joined(separator: ", "))), not '\(area)'")
        }
    }
}
