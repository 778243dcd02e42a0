import BusCore
import ConcordTestSupport
import Contracts
import Geography
import ServiceKit

/// One input of a generated scenario: a command or query, who sends it, and the canaries it
/// carries, each with the label that says who may see it.
struct CanaryInput: CustomStringConvertible {
    var type: String
    /// `operator/admin` or `partner/<code>`.
    var source: String
    var data: JSONValue
    /// Every identifier and free text of the input, with who may see it (besides its sender).
    var canaries: [(canary: String, label: Label)]

    var description: String { "\(source) \(type) \(String(decoding: data.bytes, as: UTF8.self))" }
}

/// The partners of one run, each with a clearance and gateway access drawn from the seed.
struct PartnerPool {
    static let codes = ["PA", "PB", "PC", "PD", "PE"]
    let clearances: [String: Classification]
    let access: [String: PartnerAccess]

    init(using random: inout SeededGenerator) {
        clearances = Dictionary(uniqueKeysWithValues: Self.codes.map { ($0, Classification.allCases.randomElement(using: &random)!) })
        access = Dictionary(uniqueKeysWithValues: Self.codes.map { ($0, PartnerAccess(using: &random)) })
    }
}

/// What a partner is permitted at the gateway and what it subscribes to: `>` or a few services'
/// prefixes, plain and in queue groups whose names every partner shares, sometimes beyond its
/// permissions (the gateway refuses those).
struct PartnerAccess: CustomStringConvertible {
    var publish: [String]
    var subscribe: [String]
    /// Subscriptions on the partner's first connection, which also sends its requests.
    var plain: [String]
    /// (subject, queue group) on its second connection.
    var queued: [(String, String)]

    static let prefixes = ["intelligence.>", "logistics.>", "training.>", "liaison.>", "registry.>", "gateway.>", "partner.>"]

    init(using random: inout SeededGenerator) {
        func maybe(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        publish = maybe(15) ? [">"] : maybe(80) ? ["cmd.>", "query.>", "partner.>"] : ["query.>"]
        let some = Self.prefixes.filter { _ in maybe(50) }
        subscribe = maybe(40) ? [">"] : ["_INBOX.>"] + some
        plain = (subscribe == [">"] || maybe(30) ? [">"] : []) + some
        queued = [(">", "shared")] + (maybe(50) ? [("intelligence.>", "analysts")] : []) + some.prefix(1).map { ($0, "shared") }
    }

    var description: String { "publish \(publish) subscribe \(subscribe) plain \(plain) queued \(queued)" }
}

/// Random sequences of commands over the five services and the three flows (route threat,
/// escort, rotation against exercise), every identifier and free text a unique canary
/// (`Z<scenario>Q<n>Z`), with random labels and tearlines on reports and alerts, sent by staff,
/// by the partner they concern, or by another partner in its name, and queries by any partner.
struct CanaryScenario {
    let number: Int
    var inputs: [CanaryInput] = []
    private var counter = 0

    static let everyone = PartnerPool.codes

    init(number: Int, using random: inout SeededGenerator) {
        self.number = number
        generate(using: &random)
    }

    /// A fresh canary of this scenario.
    mutating func canary(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)-Z\(number)Q\(counter)Z"
    }

    private mutating func add(_ type: String, by source: String, _ data: [String: JSONValue], _ canaries: [(String, Label)]) {
        inputs.append(CanaryInput(type: type, source: source, data: .object(data), canaries: canaries.map { (canary: $0.0, label: $0.1) }))
    }

    /// A partner's input, sent most often by that partner and sometimes by another in its name.
    private func sender(for owner: String, using random: inout SeededGenerator) -> String {
        Int.random(in: 0..<5, using: &random) == 0 ? "partner/\(Self.everyone.randomElement(using: &random)!)" : "partner/\(owner)"
    }

    private static func randomLabel(at most: Classification = .secret, using random: inout SeededGenerator) -> Label {
        let level = Classification.allCases.filter { $0 <= most }.randomElement(using: &random)!
        return Label(level, releasableTo: everyone.filter { _ in Bool.random(using: &random) })
    }

    private static func json(_ label: Label) -> JSONValue {
        .object(["policy": "UN-MISSION", "classification": .string(label.classification.rawValue),
                 "releasableTo": .array(label.releasableTo.map(JSONValue.string))])
    }

    static let acrossTheRoad = JSONValue(Geometry.polygon([[(31.70, 5.25), (31.85, 5.25), (31.85, 5.40), (31.70, 5.40), (31.70, 5.25)]
        .map { Position(lon: $0.0, lat: $0.1) }]))
    static let awayFromTheRoad = JSONValue(Geometry.polygon([[(29.70, 9.20), (29.85, 9.20), (29.85, 9.30), (29.70, 9.30), (29.70, 9.20)]
        .map { Position(lon: $0.0, lat: $0.1) }]))

    private mutating func generate(using random: inout SeededGenerator) {
        let staff = "operator/admin"
        let area = canary("AREA")
        let open = Label(.unclassified, releasableTo: Self.everyone)
        func maybe(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        func anyPartner() -> String { Self.everyone.randomElement(using: &random)! }

        let route = canary("RT")
        if maybe(80) {
            let name = canary("road")
            var data: [String: JSONValue] = ["route": .string(route), "name": .string(name), "areas": [.string(area)]]
            // Half the routes have a line, so alerts with an outline meet them by geometry.
            if maybe(50) { data["path"] = GeographyFlowTests.jubaBorRoad }
            add("cmd.logistics.route.define", by: staff, data, [(route, open), (name, open), (area, open)])
        }
        let unit = canary("U"), owner = anyPartner()
        if maybe(70) {
            add("cmd.registry.unit.register", by: sender(for: owner, using: &random),
                ["unit": .string(unit), "partner": .string(owner), "type": "infantry", "strength": 100, "location": ["name": .string(area)],
                 "readiness": .string(["ready", "limited", "unknown"].randomElement(using: &random)!)],
                [(unit, .partnerOnly(owner)), (area, .partnerOnly(owner))])
        }
        if maybe(60) {
            let convoy = canary("CV")
            let partners = Self.everyone.filter { _ in maybe(40) }
            let convoyLabel = Label(.restricted, releasableTo: (partners + [owner]).sorted())
            add("cmd.logistics.convoy.plan", by: staff, ["convoy": .string(convoy), "route": .string(route),
                                                         "partners": .array((partners.isEmpty ? [owner] : partners).map(JSONValue.string))],
                [(convoy, convoyLabel), (route, convoyLabel)])
            // Naming the escort releases it to the convoy's partners (docs/security.md).
            add("cmd.logistics.convoy.assign-escort", by: staff, ["convoy": .string(convoy), "unit": .string(unit)],
                [(unit, convoyLabel)])
            add("cmd.logistics.convoy.depart", by: staff, ["convoy": .string(convoy)], [])
        }
        if maybe(40) {
            // An escort request: once validated, logistics plans a convoy for it and assigns an
            // available infantry unit, possibly another scenario's (the oracle follows it).
            let rfa = canary("RFA"), requester = anyPartner(), location = canary("site"), reason = canary("no-civilian-escort-exists")
            add("cmd.liaison.rfa.submit", by: sender(for: requester, using: &random), [
                "rfa": .string(rfa), "requester": .string(requester), "kind": "escort", "route": .string(route),
                "location": .string(location), "neededBy": "2026-12-20", "justification": .string(reason),
            ], [(rfa, .partnerOnly(requester)), (location, .partnerOnly(requester)), (reason, .partnerOnly(requester)),
                (route, .partnerOnly(requester))])
            if maybe(80) { add("cmd.liaison.rfa.validate", by: staff, ["rfa": .string(rfa)], []) }
        }
        let exercise = canary("EX"), organiser = anyPartner()
        if maybe(70) {
            let name = canary("exercise")
            add("cmd.training.exercise.schedule", by: staff, [
                "exercise": .string(exercise), "name": .string(name), "kind": "exercise", "startDate": "2026-12-01",
                "endDate": "2026-12-20", "location": .string(area), "organiser": .string(organiser), "capacity": 5,
            ], [(exercise, .partnerOnly(organiser)), (name, .partnerOnly(organiser)), (area, .partnerOnly(organiser))])
            if maybe(60) {
                let enrolment = canary("EN")
                add("cmd.training.enrolment.apply", by: sender(for: owner, using: &random), [
                    "enrolment": .string(enrolment), "exercise": .string(exercise), "unit": .string(unit), "partner": .string(owner),
                ], [(enrolment, .partnerOnly(owner)), (unit, .partnerOnly(owner)), (exercise, .partnerOnly(owner))])
            }
        }
        if maybe(50) {
            let rotation = canary("ROT")
            add("cmd.logistics.rotation.schedule", by: sender(for: owner, using: &random), [
                "rotation": .string(rotation), "unit": .string(unit), "partner": .string(owner), "outDate": "2026-12-10", "inDate": "2026-12-05",
            ], [(rotation, .partnerOnly(owner)), (unit, .partnerOnly(owner))])
        }
        if maybe(60) {
            let notification = canary("HN"), partner = anyPartner()
            let label = Label(.restricted, releasableTo: [partner])
            add("cmd.liaison.notification.notify", by: sender(for: partner, using: &random), [
                "notification": .string(notification), "partner": .string(partner), "kind": "site", "location": .string(area),
                "from": "2026-11-01", "until": "2099-01-31",
            ], [(notification, label), (area, label)])
        }
        if maybe(50) {
            let request = canary("RQ"), item = canary("item"), requester = anyPartner()
            add("cmd.logistics.request.create", by: sender(for: requester, using: &random), [
                "request": .string(request), "requester": .string(requester), "destination": .string(area), "neededBy": "2026-12-20",
                "items": [["item": .string(item), "quantity": 5, "unit": "kg"]],
            ], [(request, .partnerOnly(requester)), (item, .partnerOnly(requester)), (area, .partnerOnly(requester))])
        }
        if maybe(50) {
            let report = canary("RP"), title = canary("title"), content = canary("content"), summary = canary("tearline")
            let label = Self.randomLabel(using: &random)
            var data: [String: JSONValue] = [
                "report": .string(report), "kind": "incident", "title": .string(title), "content": .string(content),
                "location": .string(area), "observedAt": "2026-11-20T06:30:00Z", "reliability": "B2", "label": Self.json(label),
            ]
            var canaries: [(String, Label)] = [(report, label), (title, label), (content, label), (area, label)]
            if maybe(50) {
                let tearline = Self.randomLabel(at: label.classification, using: &random)
                data["tearline"] = ["summary": .string(summary), "label": Self.json(tearline)]
                // The tearline is part of the report: whoever may see the report sees it too.
                canaries += [(summary, tearline), (summary, label)]
            }
            add("cmd.intelligence.report.file", by: staff, data, canaries)
        }
        if maybe(90) {
            let alert = canary("AL"), summary = canary("alert"), tearlineSummary = canary("avoid")
            let label = Self.randomLabel(using: &random)
            var data: [String: JSONValue] = [
                "alert": .string(alert), "area": .string(area), "severity": "high", "summary": .string(summary),
                "expires": "2099-01-31T00:00:00Z", "label": Self.json(label),
            ]
            // Half the alerts have an outline: across the Juba–Bor road, or well away from it.
            if maybe(50) { data["polygon"] = maybe(70) ? Self.acrossTheRoad : Self.awayFromTheRoad }
            var canaries: [(String, Label)] = [(alert, label), (summary, label), (area, label)]
            if maybe(60) {
                let tearline = Self.randomLabel(at: label.classification, using: &random)
                data["tearline"] = ["summary": .string(tearlineSummary), "label": Self.json(tearline)]
                canaries += [(tearlineSummary, tearline), (tearlineSummary, label)]
            }
            add("cmd.intelligence.alert.raise", by: staff, data, canaries)
            if maybe(30) { add("cmd.intelligence.alert.lift", by: staff, ["alert": .string(alert)], []) }
        }
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let query = ["query.intelligence.alert.list", "query.intelligence.report.list", "query.logistics.route.list",
                         "query.logistics.convoy.list", "query.logistics.request.list", "query.training.conflict.list",
                         "query.liaison.notice.list", "query.registry.unit.list", "query.training.exercise.list"].randomElement(using: &random)!
            add(query, by: "partner/\(anyPartner())", [:], [])
        }
        // Exports: every layer, in every format it has, for a partner.
        for _ in 0..<Int.random(in: 1...2, using: &random) {
            let (query, formats) = [("query.intelligence.alert.export", ["cap", "geojson", "kml"]),
                                    ("query.logistics.convoy.export", ["geojson", "kml"]), ("query.logistics.route.export", ["geojson", "kml"]),
                                    ("query.logistics.request.export", ["hxl", "geojson"]), ("query.logistics.pledge.export", ["hxl"]),
                                    ("query.registry.unit.export", ["hxl", "kml"]), ("query.liaison.notification.export", ["hxl", "geojson"]),
                                    ("query.training.exercise.export", ["geojson", "kml"])].randomElement(using: &random)!
            add(query, by: "partner/\(anyPartner())", ["format": .string(formats.randomElement(using: &random)!)], [])
        }
    }
}

// Literals, so that generated inputs read like the JSON they are.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}
