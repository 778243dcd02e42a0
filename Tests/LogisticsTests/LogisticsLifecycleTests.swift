import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Logistics
import Testing

@Suite("Logistics lifecycles")
struct LogisticsLifecycleTests {
    static func start() async throws -> ServiceTestBed { try await ServiceTestBed.start(LogisticsService()) }

    static let waterRequest: [String: JSONValue] = [
        "request": .string("REQ-1"), "requester": .string("WFP"),
        "items": .array([.object(["item": .string("water"), "quantity": .integer(1000), "unit": .string("litres")]),
                         .object(["item": .string("tents"), "quantity": .integer(20), "unit": .string("pieces")])]),
        "priority": .string("high"), "destination": .string("Bentiu"), "neededBy": .string("2026-12-01"),
        "needsTransport": .bool(true),
    ]

    func status(_ bed: ServiceTestBed, _ type: String, _ data: [String: String]) async throws -> String {
        let reply = try await bed.client.send(type, data)
        return try reply.decodeData([String: JSONValue].self)["status"]?.stringValue ?? "?"
    }

    @Test("a request goes draft → submitted → approved → partially fulfilled → fulfilled as shipments arrive")
    func requestToFulfilment() async throws {
        let bed = try await Self.start()
        _ = try await bed.client.send("cmd.logistics.request.create", Self.waterRequest)
        #expect(try await status(bed, "cmd.logistics.request.submit", ["request": "REQ-1"]) == "submitted")
        _ = try await bed.client.send("cmd.logistics.pledge.offer", [
            "pledge": .string("PL-1"), "request": .string("REQ-1"), "partner": .string("NLD"),
            "items": .array([.object(["item": .string("water"), "quantity": .integer(1000), "unit": .string("litres")])]),
        ] as [String: JSONValue])
        #expect(try await status(bed, "cmd.logistics.pledge.accept", ["pledge": "PL-1"]) == "accepted")
        #expect(try await status(bed, "cmd.logistics.request.approve", ["request": "REQ-1"]) == "approved")
        for (shipment, item, quantity) in [("SH-1", "water", 1000), ("SH-2", "tents", 20)] {
            _ = try await bed.client.send("cmd.logistics.shipment.create", [
                "shipment": .string(shipment), "request": .string("REQ-1"), "partner": .string("NLD"),
                "items": .array([.object(["item": .string(item), "quantity": .integer(Int64(quantity)), "unit": .string("x")])]),
                "driver": .string("A. Deng"), "vehicle": .string("UN-4471"), "transport": .string("road"),
            ] as [String: JSONValue])
            #expect(try await status(bed, "cmd.logistics.shipment.send", ["shipment": shipment]) == "sent")
            #expect(try await status(bed, "cmd.logistics.shipment.receive", ["shipment": shipment]) == "received")
        }
        let request = try await bed.client.send("query.logistics.request.get", ["request": "REQ-1"]).decodeData([String: JSONValue].self)
        #expect(request["status"]?.stringValue == "fulfilled")
        #expect(try bed.journalTypes() == [
            "logistics.request.created", "logistics.request.submitted", "logistics.pledge.offered", "logistics.pledge.accepted",
            "logistics.request.approved", "logistics.shipment.created", "logistics.shipment.sent",
            "logistics.request.partially-fulfilled", "logistics.shipment.received", "logistics.shipment.created",
            "logistics.shipment.sent", "logistics.request.fulfilled", "logistics.shipment.received",
        ])
        await bed.stop()
    }

    @Test("illegal transitions are refused, naming the state and what is allowed", arguments: [
        ("cmd.logistics.request.approve", "request", "REQ-1", "draft"),
        ("cmd.logistics.request.reject", "request", "REQ-1", "submitted"),
        ("cmd.logistics.convoy.depart", "convoy", "CV-1", "escort-assigned"),
        ("cmd.logistics.convoy.arrive", "convoy", "CV-1", "moving"),
        ("cmd.logistics.rotation.complete", "rotation", "ROT-1", "scheduled"),
    ])
    func illegal(type: String, field: String, key: String, allowed: String) async throws {
        let bed = try await Self.start()
        _ = try await bed.client.send("cmd.logistics.request.create", Self.waterRequest)
        _ = try await bed.client.send("cmd.logistics.route.define", ["route": .string("R-1"), "name": .string("Juba–Bor"),
                                                                    "areas": .array([.string("Jonglei")])] as [String: JSONValue])
        _ = try await bed.client.send("cmd.logistics.convoy.plan", ["convoy": .string("CV-1"), "route": .string("R-1"),
                                                                   "partners": .array([.string("WFP")])] as [String: JSONValue])
        _ = try await bed.client.send("cmd.logistics.rotation.schedule", ["rotation": "ROT-1", "unit": "RWA-INF-1", "partner": "RWA",
                                                                         "outDate": "2026-12-10", "inDate": "2026-12-08"])
        _ = try await bed.client.send("cmd.logistics.rotation.cancel", ["rotation": "ROT-1"])
        let before = try bed.journalTypes().count
        let refusal = try await bed.rejection(type, [field: key])
        #expect(refusal.code == "illegal_transition")
        #expect(refusal.message.contains(allowed), "\(refusal.message)")
        #expect(try bed.journalTypes().count == before)
        await bed.stop()
    }

    @Test("a convoy is planned, gets its escort, moves, halts, moves again and arrives; it does not leave on a route at risk")
    func convoy() async throws {
        let bed = try await Self.start()
        _ = try await bed.client.send("cmd.logistics.route.define", ["route": .string("R-1"), "name": .string("Juba–Bor"),
                                                                    "areas": .array([.string("Jonglei")])] as [String: JSONValue])
        _ = try await bed.client.send("cmd.logistics.convoy.plan", ["convoy": .string("CV-1"), "route": .string("R-1"),
                                                                   "partners": .array([.string("WFP"), .string("NLD")])] as [String: JSONValue])
        #expect(try await status(bed, "cmd.logistics.convoy.assign-escort", ["convoy": "CV-1", "unit": "NLD-INF-2"]) == "escort-assigned")
        var statuses: [String] = []
        for verb in ["depart", "halt", "depart", "arrive"] {
            statuses.append(try await status(bed, "cmd.logistics.convoy.\(verb)", ["convoy": "CV-1"]))
        }
        #expect(statuses == ["moving", "halted", "moving", "arrived"])
        let events = try bed.read { db in
            try String.fetchAll(db, sql: "SELECT envelope FROM journal WHERE type LIKE 'logistics.convoy.%' ORDER BY sequence")
        }
        #expect(events.allSatisfy { $0.contains(#""classification":"RESTRICTED""#) && $0.contains(#""releasableto":"WFP NLD""#) })
        await bed.stop()
    }

    @Test("bad commands get clear errors", arguments: [
        ("cmd.logistics.request.create", #"{"request":"R","requester":"WFP","items":[],"destination":"Bor","neededBy":"2026-12-01"}"#, "invalid_command", "items"),
        ("cmd.logistics.request.create", #"{"request":"R","requester":"WFP","items":[{"item":"rice","quantity":0,"unit":"kg"}],"destination":"Bor","neededBy":"2026-12-01"}"#, "invalid_command", "quantity"),
        ("cmd.logistics.request.create", #"{"request":"R","requester":"WFP","items":[{"item":"rice","quantity":5,"unit":"kg"}],"destination":"Bor","neededBy":"soon"}"#, "invalid_command", "neededBy"),
        ("cmd.logistics.request.create", #"{"request":"R","requester":"WFP","items":[{"item":"rice","quantity":5,"unit":"kg"}],"destination":"Bor"}"#, "invalid_command", "neededBy"),
        ("cmd.logistics.pledge.offer", #"{"pledge":"P","request":"NOPE","partner":"NLD","items":[{"item":"rice","quantity":5,"unit":"kg"}]}"#, "not_found", "NOPE"),
        ("cmd.logistics.convoy.plan", #"{"convoy":"C","route":"NOPE","partners":["WFP"]}"#, "not_found", "NOPE"),
        ("cmd.logistics.shipment.create", #"{"shipment":"S","request":"NOPE","partner":"NLD","items":[{"item":"rice","quantity":5,"unit":"kg"}],"driver":"d","vehicle":"v","transport":"teleport"}"#, "invalid_command", "transport"),
        ("query.logistics.request.list", #"{"colour":"red"}"#, "invalid_command", "status"),
    ])
    func badCommands(type: String, data: String, code: String, mentions: String) async throws {
        let bed = try await Self.start()
        var command = Envelope(id: UUID().uuidString, source: "operator/admin", type: type, data: Array(data.utf8))
        command.idempotencyKey = command.id
        let reply = try await bed.connection.request(command, timeout: .seconds(5))
        let refusal = try reply.decodeData(CommandClient.Rejection.self)
        #expect(refusal.code == code)
        #expect(refusal.message.contains(mentions), "\(refusal.message)")
        await bed.stop()
    }

    @Test("a new command creating a key that exists is refused as a duplicate and changes nothing")
    func duplicateKey() async throws {
        let bed = try await Self.start()
        _ = try await bed.client.send("cmd.logistics.request.create", Self.waterRequest)
        var again = Self.waterRequest
        again["destination"] = .string("Malakal")
        let refusal = try await bed.rejection("cmd.logistics.request.create", again)
        #expect(refusal.code == "duplicate")
        #expect(refusal.message.contains("REQ-1"), "\(refusal.message)")
        let stored = try await bed.client.send("query.logistics.request.get", ["request": "REQ-1"]).decodeData([String: JSONValue].self)
        #expect(stored["destination"]?.stringValue == "Bentiu")
        #expect(try bed.journalTypes() == ["logistics.request.created"])
        // The refusal rolled back only its own command: the service goes on taking new keys.
        var other = Self.waterRequest
        other["request"] = .string("REQ-2")
        _ = try await bed.client.send("cmd.logistics.request.create", other)
        #expect(try bed.journalTypes() == ["logistics.request.created", "logistics.request.created"])
        await bed.stop()
    }

    @Test("lists filter by state")
    func lists() async throws {
        let bed = try await Self.start()
        for index in 1...3 {
            var request = Self.waterRequest
            request["request"] = .string("REQ-\(index)")
            _ = try await bed.client.send("cmd.logistics.request.create", request)
        }
        _ = try await bed.client.send("cmd.logistics.request.submit", ["request": "REQ-2"])
        let drafts = try await bed.client.send("query.logistics.request.list", ["status": "draft"]).decodeData([String: [SupplyRequest]].self)
        #expect(drafts["requests"]?.map(\.request).sorted() == ["REQ-1", "REQ-3"])
        await bed.stop()
    }
}
