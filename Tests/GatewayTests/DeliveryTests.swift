import BusCore
@testable import Gateway
import Testing

@Suite("Routing and releasability")
struct DeliveryTests {
    static func subscription(_ connection: UInt64, _ subject: String, partner: String, clearance: Classification,
                             queue: String? = nil) -> SubscriptionTable.Subscription {
        .init(connection: connection, sid: "1", subject: subject, queue: queue, partner: partner, clearance: clearance)
    }

    static func event(_ type: String, classification: String?, releasableTo: [String]) -> BusMessage {
        var envelope = Envelope(id: "e", source: "concord/intelligence", type: type, classification: classification, releasableTo: releasableTo)
        envelope.data = Array(#"{"x":1}"#.utf8)
        return BusMessage(topic: type, payload: EnvelopeCodec.encode(envelope))
    }

    @Test("only a named partner cleared for the level receives; an unlabelled event reaches nobody")
    func releasability() {
        let table = SubscriptionTable()
        _ = table.add(Self.subscription(1, "intel.>", partner: "AU", clearance: .restricted))
        _ = table.add(Self.subscription(2, "intel.*.filed", partner: "ECOWAS", clearance: .confidential))
        _ = table.add(Self.subscription(3, "intel.report.filed", partner: "MSF", clearance: .secret))
        let labelled = Self.event("intel.report.filed", classification: "CONFIDENTIAL", releasableTo: ["AU", "ECOWAS"])
        #expect(Delivery.targets(for: labelled, in: table).map(\.connection) == [2])
        #expect(Delivery.targets(for: Self.event("intel.report.filed", classification: nil, releasableTo: ["AU", "ECOWAS", "MSF"]), in: table).isEmpty)
        #expect(Delivery.targets(for: Self.event("intel.report.filed", classification: "TOPSECRET", releasableTo: ["MSF"]), in: table).isEmpty)
    }

    @Test("a queue group gets one delivery, always to a member allowed to receive it")
    func queueGroups() {
        let table = SubscriptionTable()
        _ = table.add(Self.subscription(1, "intel.>", partner: "AU", clearance: .unclassified, queue: "q"))
        _ = table.add(Self.subscription(2, "intel.>", partner: "ECOWAS", clearance: .secret, queue: "q"))
        let event = Self.event("intel.report.filed", classification: "SECRET", releasableTo: ["AU", "ECOWAS"])
        for _ in 0..<50 {
            #expect(Delivery.targets(for: event, in: table).map(\.connection) == [2])
        }
    }

    @Test("bus subscriptions follow the literal prefixes partners need, counted")
    func busPrefixes() {
        let table = SubscriptionTable()
        #expect(table.add(Self.subscription(1, "logistics.*.approved", partner: "AU", clearance: .secret)) == "logistics.")
        #expect(table.add(.init(connection: 2, sid: "9", subject: "logistics.>", queue: nil, partner: "NLD", clearance: .secret)) == nil)
        #expect(table.add(.init(connection: 3, sid: "1", subject: "_INBOX.abc.*", queue: nil, partner: "NLD", clearance: .secret)) == nil)
        #expect(table.remove(connection: 1, sid: "1") == nil)
        #expect(table.removeAll(connection: 2) == ["logistics."])
    }

    @Test("UNSUB with a maximum ends the subscription after that many deliveries")
    func autoUnsubscribe() {
        let table = SubscriptionTable()
        _ = table.add(Self.subscription(1, "intel.>", partner: "AU", clearance: .secret))
        _ = table.limit(connection: 1, sid: "1", remaining: 2)
        let event = Self.event("intel.report.filed", classification: "SECRET", releasableTo: ["AU"])
        for expected in [1, 1, 0] {
            let targets = Delivery.targets(for: event, in: table)
            #expect(targets.count == expected)
            targets.forEach { _ = table.delivered($0) }
        }
    }
}
