import Agents
import BusCore
import ConcordTestSupport
import Contracts
import Foundation
import GRDB
import Registry
import Testing

@Suite("Registry: units, credentials, permissions")
struct UnitAndAccessTests {
    @Test("units are found by type, readiness and availability")
    func unitQueries() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("NLD")
        try await bed.addPartner("RWA")
        let units: [(String, String, MissionUnit.UnitType, MissionUnit.Readiness)] = [
            ("NLD-ENG-1", "NLD", .engineers, .ready), ("RWA-INF-1", "RWA", .infantry, .ready),
            ("RWA-INF-2", "RWA", .infantry, .limited), ("RWA-MED-1", "RWA", .medical, .ready),
        ]
        for (code, partner, type, readiness) in units {
            _ = try await bed.client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
                unit: code, partner: partner, type: type, strength: 150, readiness: readiness, location: .init(name: "Malakal")))
        }
        _ = try await bed.client.send("cmd.registry.unit.update", RegistryMessages.UpdateUnit(unit: "RWA-INF-1", availability: .tasked))

        func list(_ query: RegistryMessages.ListUnits) async throws -> [String] {
            try await bed.client.send("query.registry.unit.list", query, expecting: RegistryMessages.UnitList.self).units.map(\.unit)
        }
        #expect(try await list(.init(type: .infantry)) == ["RWA-INF-1", "RWA-INF-2"])
        #expect(try await list(.init(type: .infantry, available: true)) == ["RWA-INF-2"])
        #expect(try await list(.init(readiness: .ready, available: true)) == ["NLD-ENG-1", "RWA-MED-1"])
        #expect(try await list(.init(partner: "NLD")) == ["NLD-ENG-1"])

        let duplicate = try await bed.rejection("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
            unit: "NLD-ENG-1", partner: "NLD", type: .engineers, strength: 1, location: .init(name: "Juba")))
        #expect(duplicate.code == "duplicate")
        await bed.stop()
    }

    @Test("a long unit list comes in pages, each naming the unit to ask after for the next")
    func unitPages() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("NLD")
        for index in 0..<150 {
            _ = try await bed.client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
                unit: String(format: "NLD-INF-%03d", index), partner: "NLD", type: .infantry, strength: 100, location: .init(name: "Juba")))
        }
        var query = RegistryMessages.ListUnits()
        let first = try await bed.client.send("query.registry.unit.list", query, expecting: RegistryMessages.UnitList.self)
        #expect(first.units.count == 100 && first.next == "NLD-INF-099")
        query.after = first.next
        let second = try await bed.client.send("query.registry.unit.list", query, expecting: RegistryMessages.UnitList.self)
        #expect(second.units.map(\.unit) == (100..<150).map { String(format: "NLD-INF-%03d", $0) } && second.next == nil)
        query.limit = 5000
        #expect(try await bed.rejection("query.registry.unit.list", query).code == "invalid_command")
        await bed.stop()
    }

    @Test("secrets are stored hashed, never in clear, and verify against their hash")
    func secretsHashed() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("WFP", kind: .unBody)
        let token = "tok-0123456789abcdef-WFP"
        _ = try await bed.client.send("cmd.registry.credential.issue", RegistryMessages.IssueCredential.hashing(partner: "WFP", kind: .token, secret: token))
        _ = try await bed.client.send("cmd.registry.credential.issue",
                                      RegistryMessages.IssueCredential.hashing(partner: "WFP", kind: .password, user: "ops", secret: "correct horse"))
        let hashes = try bed.read { db in try String.fetchAll(db, sql: "SELECT hash FROM credential ORDER BY user") }
        try #require(hashes.count == 2)
        #expect(SecretHasher.verify(token, against: hashes[0]))
        #expect(SecretHasher.verify("correct horse", against: hashes[1]))
        #expect(!SecretHasher.verify("wrong horse", against: hashes[1]))
        let file = try Data(contentsOf: bed.folder.url.appendingPathComponent("registry.sqlite"))
        let wal = (try? Data(contentsOf: bed.folder.url.appendingPathComponent("registry.sqlite-wal"))) ?? Data()
        for secret in [token, "correct horse"] {
            #expect(file.range(of: Data(secret.utf8)) == nil && wal.range(of: Data(secret.utf8)) == nil)
        }
        let details = try await bed.client.send("query.registry.partner.get", ["code": "WFP"], expecting: RegistryMessages.PartnerDetails.self)
        #expect(details.credentials.map(\.user) == ["", "ops"])
        await bed.stop()
    }

    @Test("a credential sent in clear (version 1 of credential.issue) is refused, saying why, and issues nothing")
    func clearSecretRefused() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("WFP", kind: .unBody)
        var command = Envelope(id: UUID().uuidString, source: "operator/admin", type: "cmd.registry.credential.issue", dataVersion: 1,
                               data: Array(#"{"partner":"WFP","kind":"token","secret":"tok-0123456789abcdef-WFP"}"#.utf8))
        command.idempotencyKey = command.id
        let reply = try await bed.connection.request(command, timeout: .seconds(5))
        #expect(reply.type == "registry.command.rejected")
        #expect(try reply.decodeData(CommandClient.Rejection.self).message.contains("in clear"))
        #expect(try bed.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM credential") } == 0)
        await bed.stop()
    }

    @Test("permissions take NATS subjects with wildcards and are returned with the partner")
    func permissions() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("OCHA", kind: .unBody)
        _ = try await bed.client.send("cmd.registry.permissions.grant",
                                      PermissionSet(partner: "OCHA", publish: ["cmd.liaison.>"], subscribe: ["logistics.*.approved", "_INBOX.>"]))
        let details = try await bed.client.send("query.registry.partner.get", ["code": "OCHA"], expecting: RegistryMessages.PartnerDetails.self)
        #expect(details.permissions?.subscribe == ["logistics.*.approved", "_INBOX.>"])
        for bad in ["a.>.b", "a b", "", "x.*y"] {
            let rejection = try await bed.rejection("cmd.registry.permissions.grant", PermissionSet(partner: "OCHA", publish: [bad], subscribe: []))
            #expect(rejection.code == "invalid_command")
        }
        await bed.stop()
    }

    @Test("every recorded version of every registry type upcasts and decodes into the current model")
    func catalogExamples() throws {
        for type in RegistryCatalog.catalog.types.values {
            for (version, example) in type.examples {
                let envelope = Envelope(id: "e", source: "concord/registry", type: type.name, dataVersion: version, data: Array(example.utf8))
                let upcast = try RegistryCatalog.catalog.upcast(envelope)
                #expect(upcast.dataVersion == type.version)
                if type.name == "registry.unit.registered" {
                    let unit = try upcast.decodeData(MissionUnit.self)
                    #expect(unit.location.name == "Juba")
                    #expect(unit.readiness == (version < 3 ? .unknown : .ready))
                }
            }
        }
    }
}

@Suite("Registry: event versions")
struct EventVersionTests {
    @Test("every journaled event carries its type's current schema version")
    func versions() async throws {
        let bed = try await RegistryTestBed.start()
        try await bed.addPartner("NLD")
        _ = try await bed.client.send("cmd.registry.unit.register", RegistryMessages.RegisterUnit(
            unit: "NLD-ENG-1", partner: "NLD", type: .engineers, strength: 120, location: .init(name: "Bor")))
        let envelopes = try bed.read { db in try Data.fetchAll(db, sql: "SELECT envelope FROM journal") }.map { try EnvelopeCodec.decode(Array($0)) }
        for envelope in envelopes {
            #expect(envelope.dataVersion == RegistryCatalog.catalog.version(of: envelope.type), "\(envelope.type)")
        }
        #expect(envelopes.first { $0.type == "registry.unit.registered" }?.dataVersion == 3)
        await bed.stop()
    }
}
