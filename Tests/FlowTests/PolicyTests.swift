import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Gateway
import GRDB
import ServiceKit
import Testing

/// Generated from the policies the services declare beside their handlers: every command and
/// query type of every service is sent by a staff member holding a role the policy names, one
/// holding none of them, the partner that owns the entity it is about, and another partner.
/// Each must get the declared outcome, and a refused one must leave the state as it was.
@Suite("Policies, as declared")
struct PolicyTests {
    static let owner = "OWNR", other = "OTHR"

    /// An entity of every kind a relation can name, owned by `owner`, created by the
    /// bootstrap administrator; the keys the generated requests name.
    static let fixtures: [(String, String)] = [
        ("cmd.registry.partner.register", #"{"code":"OWNR","name":"Owner","kind":"ngo","clearance":"SECRET"}"#),
        ("cmd.registry.partner.register", #"{"code":"OTHR","name":"Other","kind":"ngo","clearance":"SECRET"}"#),
        ("cmd.registry.partner.admit", #"{"code":"OWNR"}"#),
        ("cmd.registry.partner.admit", #"{"code":"OTHR"}"#),
        ("cmd.registry.unit.register", #"{"unit":"U-1","partner":"OWNR","type":"infantry","strength":10,"location":{"name":"Juba"}}"#),
        ("cmd.logistics.request.create", #"{"request":"R-1","requester":"OWNR","items":[{"item":"water","quantity":1,"unit":"l"}],"destination":"Bor","neededBy":"2026-12-01"}"#),
        ("cmd.logistics.request.submit", #"{"request":"R-1"}"#),
        ("cmd.logistics.request.approve", #"{"request":"R-1"}"#),
        ("cmd.logistics.pledge.offer", #"{"pledge":"P-1","request":"R-1","partner":"OWNR","items":[{"item":"water","quantity":1,"unit":"l"}]}"#),
        ("cmd.logistics.shipment.create", #"{"shipment":"S-1","request":"R-1","partner":"OWNR","items":[{"item":"water","quantity":1,"unit":"l"}],"driver":"d","vehicle":"v","transport":"road"}"#),
        ("cmd.logistics.route.define", #"{"route":"RT-1","name":"Juba-Bor","areas":["Bor"]}"#),
        ("cmd.logistics.convoy.plan", #"{"convoy":"C-1","route":"RT-1","partners":["OWNR"]}"#),
        ("cmd.logistics.rotation.schedule", #"{"rotation":"ROT-1","unit":"U-1","partner":"OWNR","outDate":"2026-12-01","inDate":"2026-12-10"}"#),
        ("cmd.training.exercise.schedule", #"{"exercise":"E-1","name":"Shield","kind":"exercise","startDate":"2026-12-01","endDate":"2026-12-05","location":"Bor","organiser":"OWNR","capacity":5}"#),
        ("cmd.training.enrolment.apply", #"{"enrolment":"N-1","exercise":"E-1","unit":"U-1","partner":"OWNR"}"#),
        ("cmd.liaison.notification.notify", #"{"notification":"NT-1","partner":"OWNR","kind":"site","location":"Bor","from":"2026-12-01","until":"2026-12-31"}"#),
    ]

    /// The key of the owner's entity, by the field commands name it in.
    static let keys = ["request": "R-1", "pledge": "P-1", "shipment": "S-1", "rotation": "ROT-1", "unit": "U-1", "code": "OWNR",
                       "exercise": "E-1", "enrolment": "N-1", "notification": "NT-1", "convoy": "C-1"]

    @Test("every command and query type gets the declared outcome from a staff role that may, one that may not, the owning partner and another partner; refusals change nothing")
    func generated() async throws {
        let bed = try await FlowBed.start()
        for (type, data) in Self.fixtures {
            _ = try await bed.client.send(type, try JSONTreeDecoder.parse(Array(data.utf8)))
        }
        // One staff member per role, appointed through the registry and heard by every service.
        for role in MissionRole.allCases {
            _ = try await bed.client.send("cmd.registry.staff.appoint", JSONValue.object(["name": .string("only-\(role.rawValue)"), "roles": .array([.string(role.rawValue)])]))
        }
        #expect(try await eventually {
            try FlowBed.domains.allSatisfy { domain in
                try bed.read(domain.name) { db in try StaffRoles.roles(of: "only-j2", in: db) } == [.intelligence]
            }
        }, "every service learns the staff from the registry")

        var checked = 0
        for domain in FlowBed.domains {
            let declared = domain.commands.mapValues(\.policy).merging(domain.queries.mapValues(\.policy)) { $1 }
            let types = domain.catalog.types.keys.filter { $0.hasPrefix("cmd.\(domain.name).") || $0.hasPrefix("query.\(domain.name).") }
            for type in types.sorted() {
                guard let policy = declared[type] else {
                    Issue.record("\(type) is in the catalog but has no handler and policy")
                    continue
                }
                try await check(type, policy, domain: domain.name, bed: bed)
                checked += 1
            }
        }
        #expect(checked > 90)
        await bed.stop()
    }

    @Test("every event and answer type of every service and of the gateway states how its label is computed")
    func labelRules() {
        let catalogs = FlowBed.domains.map { ($0.name, $0.catalog) } + [("gateway", GatewayCatalog.catalog)]
        for (owner, catalog) in catalogs {
            for type in catalog.types.values where !type.name.hasPrefix("cmd.") && !type.name.hasPrefix("query.") {
                #expect(type.labelRule?.isEmpty == false, "\(type.name) (in \(owner)'s catalog) does not say how its label is computed")
            }
        }
    }

    /// What the four senders get for one type.
    func check(_ type: String, _ policy: Policy, domain: String, bed: FlowBed) async throws {
        let data: String
        switch policy.partners {
        case .namingItself(let field): data = #"{"\#(field)":"\#(Self.owner)"}"#
        case .related(let relation):
            let key = try #require(Self.keys[relation.keyField], "\(type): no fixture for \(relation.keyField)")
            let partners = try bed.read(domain) { db in try relation.partners(key, db) }
            #expect(partners?.contains(Self.owner) == true, "\(type): the fixture \(key) is not the owner's \(relation.name)")
            data = #"{"\#(relation.keyField)":"\#(key)"}"#
        case .never, .filtered: data = "{}"
        }
        // A role the policy names, and one it does not (none such when every role may).
        if let allowed = policy.roles.sorted().first {
            let answer = try await send(type, data, from: "operator/only-\(allowed.rawValue)", bed: bed)
            #expect(answer.code != "forbidden", "\(type) as \(allowed.rawValue): \(answer)")
        }
        if let refused = MissionRole.allCases.first(where: { !policy.roles.contains($0) }) {
            try await expectRefused(type, data, from: "operator/only-\(refused.rawValue)", code: "forbidden", domain: domain, bed: bed)
        }
        let owner = "partner/\(Self.owner)", other = "partner/\(Self.other)"
        switch policy.partners {
        case .never:
            try await expectRefused(type, data, from: owner, code: "forbidden", domain: domain, bed: bed)
            try await expectRefused(type, data, from: other, code: "forbidden", domain: domain, bed: bed)
        case .namingItself:
            let answer = try await send(type, data, from: owner, bed: bed)
            #expect(answer.code != "forbidden", "\(type) from its owner: \(answer)")
            try await expectRefused(type, data, from: other, code: "forbidden", domain: domain, bed: bed)
        case .related:
            let answer = try await send(type, data, from: owner, bed: bed)
            #expect(answer.code != "forbidden" && answer.code != "not_found", "\(type) from its owner: \(answer)")
            try await expectRefused(type, data, from: other, code: "not_found", domain: domain, bed: bed)
        case .filtered:
            for partner in [owner, other] {
                let answer = try await send(type, data, from: partner, bed: bed)
                #expect(answer.code != "forbidden", "\(type) from \(partner): \(answer)")
            }
        }
    }

    /// Sends as `source` and expects a refusal with `code` that leaves the service's state as it was.
    func expectRefused(_ type: String, _ data: String, from source: String, code: String, domain: String, bed: FlowBed) async throws {
        let before = try bed.state(of: domain)
        let answer = try await send(type, data, from: source, bed: bed)
        #expect(answer.code == code, "\(type) from \(source): expected \(code), got \(answer)")
        #expect(try bed.state(of: domain) == before, "\(type) from \(source) was refused but changed \(domain)'s state")
    }

    struct Answer: CustomStringConvertible {
        var type: String
        var code: String?
        var message: String?
        var description: String { "\(type) \(code ?? "") \(message ?? "")" }
    }

    func send(_ type: String, _ data: String, from source: String, bed: FlowBed) async throws -> Answer {
        let reply = try await bed.request(type, Array(data.utf8), from: source)
        let refusal = try? reply.decodeData(CommandClient.Rejection.self)
        return Answer(type: reply.type, code: reply.type.hasSuffix(".command.rejected") ? refusal?.code : nil, message: refusal?.message)
    }
}
