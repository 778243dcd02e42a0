@testable import Gateway
import Testing

@Suite("Durable feeds: JetStream subjects, consumer configuration and consumer state")
struct FeedConsumerTests {
    @Test("API subjects are read as nats.py and nats.go send them; anything else is not an API request")
    func requests() {
        #expect(JetStreamRequest(subject: "$JS.API.INFO") == .accountInfo)
        #expect(JetStreamRequest(subject: "$JS.API.STREAM.INFO.LOGISTICS") == .streamInfo(stream: "LOGISTICS"))
        #expect(JetStreamRequest(subject: "$JS.API.STREAM.MSG.DELETE.LOGISTICS") == .streamChange(stream: "LOGISTICS", kind: "MSG.DELETE"))
        #expect(JetStreamRequest(subject: "$JS.API.CONSUMER.CREATE.LOGISTICS") == .consumerCreate(stream: "LOGISTICS", name: nil, filter: nil))
        #expect(JetStreamRequest(subject: "$JS.API.CONSUMER.CREATE.LOGISTICS.c.logistics.request.>")
                == .consumerCreate(stream: "LOGISTICS", name: "c", filter: "logistics.request.>"))
        #expect(JetStreamRequest(subject: "$JS.API.CONSUMER.DURABLE.CREATE.LOGISTICS.d") == .durableCreate(stream: "LOGISTICS", durable: "d"))
        #expect(JetStreamRequest(subject: "$JS.API.CONSUMER.MSG.NEXT.LOGISTICS.d") == .next(stream: "LOGISTICS", consumer: "d"))
        for bad in ["$JS.API.", "$JS.API.BOGUS", "$JS.API.STREAM.INFO", "$JS.API.CONSUMER.INFO.LOGISTICS", "$JS.API.INFO.X", "cmd.x"] {
            #expect(JetStreamRequest(subject: bad) == nil, "\(bad)")
        }
        #expect(JetStreamRequest.consumerInfo(stream: "S", consumer: "c").responseType == "io.nats.jetstream.api.v1.consumer_info_response")
    }

    @Test("acknowledgements: +ACK or nothing, -NAK with an optional delay, +WPI, +TERM, +NXT; malformed ones are refused")
    func acks() {
        let subject = "$JS.ACK.LOGISTICS.d.1.42.7.1796100781571231109.3"
        #expect(JetStreamAck(subject: subject, payload: [])?.kind == .ack)
        #expect(JetStreamAck(subject: subject, payload: Array("+ACK".utf8))?.streamSeq == 42)
        #expect(JetStreamAck(subject: subject, payload: Array("-NAK".utf8))?.kind == .nak(delay: nil))
        #expect(JetStreamAck(subject: subject, payload: Array(#"-NAK {"delay":2000000000}"#.utf8))?.kind == .nak(delay: .seconds(2)))
        #expect(JetStreamAck(subject: subject, payload: Array("+WPI".utf8))?.kind == .inProgress)
        #expect(JetStreamAck(subject: subject, payload: Array("+TERM reason".utf8))?.kind == .term)
        #expect(JetStreamAck(subject: subject, payload: Array("+NXT".utf8))?.next == true)
        #expect(JetStreamAck(subject: subject, payload: Array("maybe".utf8)) == nil)
        #expect(JetStreamAck(subject: "$JS.ACK.LOGISTICS.d.1.x.7.1.3", payload: []) == nil)
        #expect(JetStreamAck(subject: "$JS.ACK.LOGISTICS.d", payload: []) == nil)
    }

    @Test("configurations get nats-server's defaults and its refusals; max_ack_pending is held to the limit")
    func configuration() throws {
        let explicit = try ConsumerConfig(ackPolicy: .explicit).normalized(maxAckPendingLimit: 10_000)
        #expect(explicit.ackWait == 30_000_000_000 && explicit.maxAckPending == 1_000 && explicit.maxDeliver == -1 && explicit.maxWaiting == 512)
        #expect(explicit.inactiveThreshold == 5_000_000_000, "an ephemeral consumer goes away when unused")
        let none = try ConsumerConfig().normalized(maxAckPendingLimit: 10_000)
        #expect(none.ackPolicy == ConsumerConfig.AckPolicy.none && none.ackWait == nil && none.maxAckPending == nil)
        let greedy = try ConsumerConfig(ackPolicy: .explicit, maxAckPending: 524_288).normalized(maxAckPendingLimit: 100)
        #expect(greedy.maxAckPending == 100, "held to the limit: nats.go asks for 524,288 by default")
        #expect(throws: JetStreamError.self) { try ConsumerConfig(deliverPolicy: .byStartSequence).normalized(maxAckPendingLimit: 100) }
        #expect(throws: JetStreamError.self) { try ConsumerConfig(deliverPolicy: .all, optStartSeq: 3).normalized(maxAckPendingLimit: 100) }
        #expect(ConsumerConfig.nanoseconds(ofRFC3339: "2026-12-01T04:53:02.777222916Z") == 1_796_100_782_777_222_916)
        #expect(ConsumerConfig.nanoseconds(ofRFC3339: "2026-12-01T04:53:02Z") == 1_796_100_782_000_000_000)
        #expect(ConsumerConfig.nanoseconds(ofRFC3339: "yesterday") == nil)
        #expect(ConsumerConfig.nanoseconds(ofRFC3339: "2026-12-01T06:53:02.5+02:00") == 1_796_100_782_500_000_000)
        #expect(ConsumerConfig.nanoseconds(ofRFC3339: "2020-02-29T00:00:00Z") == 1_582_934_400_000_000_000)
        #expect(ConsumerConfig.nanoseconds(ofRFC3339: "2026-13-01T00:00:00Z") == nil)
        #expect(GoJSON.time(nanoseconds: 1_796_100_782_777_222_900).bytes == Array(#""2026-12-01T04:53:02.7772229Z""#.utf8))
        #expect(GoJSON.time(nanoseconds: 0).bytes == Array(#""0001-01-01T00:00:00Z""#.utf8))
        #expect(GoJSON.string("logistics.>").bytes == Array(#""logistics.\u003e""#.utf8))
    }

    @Test("acks, naks and ack waits move the floor and bring messages back; max_deliver ends redelivery")
    func state() throws {
        let stream = FeedStream(service: "logistics")
        let config = try ConsumerConfig(ackPolicy: .explicit, ackWait: 1_000_000_000, maxDeliver: 2).normalized(maxAckPendingLimit: 100)
        var consumer = FeedConsumer(key: .init(partner: "NLD", stream: "LOGISTICS", name: "d"), stream: stream, config: config,
                                    createdNs: 1, deliveredStream: 0)
        let start = ContinuousClock.now
        let entries = (1...3).map { FeedStore.Entry(seq: $0, sourceSeq: $0 * 10, subject: "logistics.request.created", timeNs: 0, size: 1) }
        for entry in entries { _ = consumer.noteDelivery(entry, now: start) }
        #expect(consumer.pending.count == 3 && consumer.deliveredStream == 3 && consumer.roomForNew == 97, "the default max_ack_pending is capped by the limit")
        consumer.apply(.ack, seq: 2, now: start)
        #expect(consumer.floorStream == 0, "1 is still unacknowledged")
        consumer.apply(.ack, seq: 1, now: start)
        #expect(consumer.floorStream == 2 && consumer.floorConsumer == 2)
        let early = consumer.takeDue(now: start, limit: 10)
        #expect(early.due.isEmpty)
        let later = start + .milliseconds(1_500)
        let due = consumer.takeDue(now: later, limit: 10)
        #expect(due.due == [3])
        let redelivery = consumer.noteDelivery(entries[2], now: later)
        #expect(redelivery.consumerSeq == 4 && redelivery.deliveries == 2)
        #expect(consumer.redelivered == 1)
        let last = consumer.takeDue(now: later + .seconds(2), limit: 10)
        #expect(last.due.isEmpty && last.exhausted == [3], "delivered twice: max_deliver 2 is reached")
        #expect(consumer.pending.isEmpty && consumer.floorStream == 3)
        let applied = consumer.apply(.ack, seq: 3, now: later)
        #expect(!applied, "nothing is pending there any more")
    }
}
