import Agents
import BusCore
import ConcordTestSupport
import Contracts
import Foundation
import GRDB
import Registry
import Testing

@Suite("Registry: partners and membership")
struct PartnerTests {
    @Test("a partner goes joining → member → suspended → member → exiting → exited, with an event each step")
    func membershipLifecycle() async throws {
        let bed = try await RegistryTestBed.start()
        let registered = try await bed.client.send("cmd.registry.partner.register",
                                                   RegistryMessages.RegisterPartner(code: "AU", name: "African Union", kind: .regionalOrganisation, clearance: .confidential),
                                                   expecting: Partner.self)
        #expect(registered.status == .joining)
        var statuses: [Membership] = []
        for verb in ["admit", "suspend", "reinstate", "withdraw", "exit"] {
            let change = try await bed.client.send("cmd.registry.partner.\(verb)", RegistryMessages.PartnerTransition(code: "AU"),
                                                   expecting: PartnerStatusChanged.self)
            statuses.append(change.status)
        }
        #expect(statuses == [.member, .suspended, .member, .exiting, .exited])
        let journaled = try bed.read { db in try String.fetchAll(db, sql: "SELECT type FROM journal ORDER BY sequence") }
        #expect(journaled == ["registry.partner.registered", "registry.partner.admitted", "registry.partner.suspended",
                              "registry.partner.reinstated", "registry.partner.withdrawn", "registry.partner.exited"])
        await bed.stop()
    }

    @Test("illegal transitions are refused with the states they are allowed from, and change nothing")
    func illegalTransitions() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("NLD", admit: false)
        let reinstate = try await bed.rejection("cmd.registry.partner.reinstate", RegistryMessages.PartnerTransition(code: "NLD"))
        #expect(reinstate.code == "illegal_transition")
        #expect(reinstate.message.contains("joining") && reinstate.message.contains("suspended"))
        let exit = try await bed.rejection("cmd.registry.partner.exit", RegistryMessages.PartnerTransition(code: "NLD"))
        #expect(exit.code == "illegal_transition")
        let status = try bed.read { db in try String.fetchOne(db, sql: "SELECT status FROM partner WHERE code = 'NLD'") }
        #expect(status == "joining")
        await bed.stop()
    }

    @Test("bad commands get a clear error reply and the registry stays up", arguments: [
        ("cmd.registry.partner.register", #"{"name":"No Code","kind":"ngo","clearance":"UNCLASSIFIED"}"#, "invalid_command", "code"),
        ("cmd.registry.partner.register", #"{"code":"X1","name":"Bad","kind":"army","clearance":"UNCLASSIFIED"}"#, "invalid_command", "kind"),
        ("cmd.registry.partner.register", #"{"code":"X1","name":7,"kind":"ngo","clearance":"UNCLASSIFIED"}"#, "invalid_command", "name"),
        ("cmd.registry.partner.register", #"{"code":"lower","name":"Bad","kind":"ngo","clearance":"UNCLASSIFIED"}"#, "invalid_command", "upper-case"),
        ("cmd.registry.partner.admit", #"{"code":"NOPE"}"#, "not_found", "NOPE"),
        ("cmd.registry.unit.register", #"{"unit":"U1","partner":"NOPE","type":"medical","strength":40,"location":{"name":"Bor"}}"#, "not_found", "NOPE"),
        ("cmd.registry.unit.register", #"{"unit":"U1","partner":"MSF","type":"medical","strength":-4,"location":{"name":"Bor"}}"#, "invalid_command", "strength"),
        ("cmd.registry.permissions.grant", #"{"partner":"MSF","publish":["a..b"],"subscribe":[]}"#, "invalid_command", "a..b"),
        ("cmd.registry.credential.issue", #"{"partner":"MSF","kind":"token","hash":"sha256$abc"}"#, "invalid_command", "64 lowercase hex"),
        ("cmd.registry.credential.issue", #"{"partner":"MSF","kind":"password","user":"ops","hash":"pbkdf2-sha256$1$00$00"}"#, "invalid_command", "rounds"),
        ("cmd.registry.partner.dissolve", #"{"code":"MSF"}"#, "unknown_command", "cmd.registry.partner.register"),
        ("query.registry.partner.get", #"{"code":"NOPE"}"#, "not_found", "NOPE"),
    ])
    func badCommands(type: String, data: String, code: String, mentions: String) async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("MSF", kind: .ngo)
        var command = Envelope(id: UUID().uuidString, source: "operator/admin", type: type, data: Array(data.utf8))
        command.idempotencyKey = command.id
        command.dataVersion = RegistryCatalog.catalog.version(of: type)
        let reply = try await bed.connection.request(command, timeout: .seconds(5))
        #expect(reply.type == "registry.command.rejected")
        let rejection = try reply.decodeData(CommandClient.Rejection.self)
        #expect(rejection.code == code)
        #expect(rejection.message.contains(mentions), "\(rejection.message)")
        // Still up and answering.
        let list = try await bed.client.send("query.registry.partner.list", [String: String](), expecting: RegistryMessages.PartnerList.self)
        #expect(list.partners.map(\.code) == ["MSF"])
        await bed.stop()
    }

    @Test("a duplicate partner code is refused")
    func duplicateCode() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("ECOWAS", kind: .regionalOrganisation)
        let rejection = try await bed.rejection("cmd.registry.partner.register",
                                                RegistryMessages.RegisterPartner(code: "ECOWAS", name: "Again", kind: .ngo, clearance: .secret))
        #expect(rejection.code == "duplicate")
        let name = try bed.read { db in try String.fetchOne(db, sql: "SELECT name FROM partner WHERE code = 'ECOWAS'") }
        #expect(name == "Partner ECOWAS")
        await bed.stop()
    }

    @Test("a repeated command with the same idempotency key changes nothing and gets the first answer")
    func idempotency() async throws {
        let bed = try await RegistryTestBed.start()
        var command = Envelope(id: "c-1", source: "operator/admin", type: "cmd.registry.partner.register")
        command.idempotencyKey = "register-GHA"
        try command.setData(RegistryMessages.RegisterPartner(code: "GHA", name: "Ghana", kind: .troopContributingCountry, clearance: .restricted))
        let first = try await bed.connection.request(command, timeout: .seconds(5))
        // Same key, even with other content: it is the same command sent again.
        var again = command
        again.id = "c-2"
        try again.setData(RegistryMessages.RegisterPartner(code: "GHA", name: "Changed", kind: .ngo, clearance: .secret))
        let second = try await bed.connection.request(again, timeout: .seconds(5))
        #expect(second == first)
        #expect(first.type == "registry.partner.registered")
        let (partners, events, name) = try bed.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM partner")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal")!,
             try String.fetchOne(db, sql: "SELECT name FROM partner WHERE code = 'GHA'"))
        }
        #expect(partners == 1 && events == 1 && name == "Ghana")

        // A refusal is an answer too: repeating a refused command gets the same refusal.
        var refused = Envelope(id: "c-3", source: "operator/admin", type: "cmd.registry.partner.admit")
        try refused.setData(RegistryMessages.PartnerTransition(code: "NOPE"))
        let refusal = try await bed.connection.request(refused, timeout: .seconds(5))
        #expect(try await bed.connection.request(refused, timeout: .seconds(5)) == refusal)
        await bed.stop()
    }

    @Test("garbage and a newer command version on the registry's topics are dead-lettered or refused, and it stays up")
    func garbageAndNewerVersion() async throws {
        let bed = try await RegistryTestBed.start()
        bed.connection.publish(topic: "cmd.registry.partner.register", payload: Array("\u{0}\u{1}garbage".utf8))
        bed.connection.publish(topic: "cmd.registry.partner.register", payload: Array(#"{"specversion":"1.0"}"#.utf8))
        var newer = Envelope(id: "n-1", source: "operator/admin", type: "cmd.registry.partner.register", dataVersion: 9)
        newer.data = Array("{}".utf8)
        let reply = try await bed.connection.request(newer, timeout: .seconds(5))
        #expect(try reply.decodeData(CommandClient.Rejection.self).code == "newer_version")
        #expect(try await eventually {
            try bed.read { db in try DeadLetter.fetchAll(db) }.map(\.code).sorted() == ["malformed_json", "missing_attribute"]
        })
        try await bed.addPartner("KEN")
        await bed.stop()
    }

    @Test("an oversized command never reaches the registry; the proxy drops and counts it")
    func oversizedCommand() async throws {
        let bed = try await RegistryTestBed.start()
        let huge = String(repeating: "x", count: 2 << 20)
        var command = Envelope(id: "big", source: "operator/admin", type: "cmd.registry.partner.register")
        try command.setData(RegistryMessages.RegisterPartner(code: "BIG", name: huge, kind: .ngo, clearance: .secret))
        await #expect(throws: BusError.self) { try await bed.connection.request(command, timeout: .milliseconds(500)) }
        #expect(bed.bus.proxy.statistics.dropped == 1)
        try await bed.addPartner("SEN")
        await bed.stop()
    }
}

@Suite("Registry: what a partner may ask")
struct PartnerQueryScopeTests {
    @Test("a partner sees its own record, not another partner's permissions and credentials")
    func ownRecordOnly() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("AU", kind: .regionalOrganisation)
        try await bed.addPartner("NLD")
        func ask(_ data: String, _ type: String = "query.registry.partner.get") async throws -> Envelope {
            var query = Envelope(id: UUID().uuidString, source: "partner/AU", type: type, data: Array(data.utf8))
            query.idempotencyKey = query.id
            return try await bed.connection.request(query, timeout: .seconds(5))
        }
        #expect(try await ask(#"{"code":"AU"}"#).type == "registry.partner.found")
        #expect(try await ask(#"{"code":"NLD"}"#).decodeData(CommandClient.Rejection.self).code == "not_found")
        let list = try await ask("{}", "query.registry.partner.list").decodeData(RegistryMessages.PartnerList.self)
        #expect(list.partners.map(\.code) == ["AU"])
        await bed.stop()
    }
}
