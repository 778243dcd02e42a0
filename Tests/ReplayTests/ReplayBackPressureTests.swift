import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Synchronization
import Testing

/// A replay at full speed must reach every subscriber that keeps up on average, and say so when
/// one truly falls behind.
@Suite("Replays paced by their subscribers")
struct ReplayBackPressureTests {
    /// A cassette of `count` envelopes on `load.item.replayed`, all at offset 0, numbered in `data`.
    static func cassette(_ path: String, count: Int) throws {
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: Date(), concord: "test"))
        for index in 0..<count {
            var envelope = Envelope(id: "r-\(index)", source: "concord/test", type: "load.item.replayed", dataVersion: 1,
                                    classification: "UNCLASSIFIED", releasableTo: ["NLD"])
            envelope.data = Array(#"{"n":\#(index),"pad":"\#(String(repeating: "x", count: 200))"}"#.utf8)
            try writer.append(CassetteEntry(offset: 0, topic: envelope.type, envelope: EnvelopeCodec.encode(envelope)))
        }
        try writer.close()
    }

    /// A subscriber with small queues (so the proxy sees it full soon) that counts what it gets
    /// and checks the order, pausing once when `pauseAfter` have arrived.
    final class Subscriber: Sendable {
        let connection: BusConnection
        let received = Atomic<Int>(0)
        let outOfOrder = Atomic<Int>(0)
        private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(bus: TestBus, pauseAfter: Int? = nil, pause: Duration = .zero, reads: Bool = true) async throws {
            var configuration = BusConnection.Configuration(endpoints: bus.endpoints)
            configuration.highWaterMark = 1_000
            configuration.receiveCapacity = 256
            connection = try await BusConnection.connect(configuration, context: bus.context)
            connection.subscribe("load.")
            guard reads else { return }
            let reading = Task { [self] in
                var paused = false
                while let message = await connection.messages.next(timeout: .seconds(60)) {
                    let envelope = try? EnvelopeCodec.decode(message.payload)
                    if envelope?.id != "r-\(received.load(ordering: .relaxed))" { outOfOrder.add(1, ordering: .relaxed) }
                    let count = received.add(1, ordering: .relaxed).newValue
                    if let pauseAfter, count == pauseAfter, !paused {
                        paused = true
                        try? await Task.sleep(for: pause)
                    }
                }
            }
            task.withLock { $0 = reading }
        }

        func close() async {
            task.withLock { $0?.cancel() }
            connection.finishReceiving()
            await connection.close()
        }
    }

    @Test("at --speed max, a subscriber that stops reading for two seconds still gets every message, in order, and so does a fast one; published live, the same messages overflow it")
    func slowSubscriberGetsEverything() async throws {
        let folder = try TemporaryFolder()
        let bus = try await TestBus { $0.highWaterMark = 1_000 }
        let count = 60_000
        try Self.cassette(folder.path("load.jsonl"), count: count)

        // The control: the same messages published live overflow the pausing subscriber's queues.
        let control = try await Subscriber(bus: bus, pauseAfter: 2_000, pause: .seconds(2))
        let live = try await bus.connect()
        try await Task.sleep(for: .milliseconds(300))
        for entry in try readWholeCassette(folder.path("load.jsonl")) { live.publish(topic: entry.topic, payload: entry.envelope) }
        _ = try await eventually(timeout: .seconds(10)) { live.queuedCommands == 0 }
        try await Task.sleep(for: .seconds(3))
        #expect(control.received.load(ordering: .relaxed) < count, "the test must overflow a paused subscriber's queues")
        await live.close()
        await control.close()

        let slow = try await Subscriber(bus: bus, pauseAfter: 2_000, pause: .seconds(2))
        let fast = try await Subscriber(bus: bus)
        try await Task.sleep(for: .milliseconds(300))
        var options = Replayer.Options()
        options.speed = .max
        options.strict = true
        let link = try await bus.replayLink()
        let summary = try await Replayer(path: folder.path("load.jsonl"), options: options).play(into: link)
        #expect(summary.published == count && summary.isWhole, "\(summary)")
        #expect(try await eventually(timeout: .seconds(30)) { slow.received.load(ordering: .relaxed) == count },
                "slow subscriber got \(slow.received.load(ordering: .relaxed)) of \(count)")
        #expect(try await eventually { fast.received.load(ordering: .relaxed) == count })
        #expect(slow.outOfOrder.load(ordering: .relaxed) == 0 && fast.outOfOrder.load(ordering: .relaxed) == 0)
        #expect(bus.proxy.statistics.replayDropped == 0 && bus.proxy.statistics.replayed == count)

        await link.close()
        await slow.close()
        await fast.close()
        await bus.stop()
    }

    @Test("a subscriber that takes nothing for the replay patience ends the replay instead of holding it up: what was not forwarded is counted exactly, the others got all that was, and --strict fails")
    func stuckSubscriberEndsTheReplay() async throws {
        let folder = try TemporaryFolder()
        let bus = try await TestBus {
            $0.highWaterMark = 500
            $0.replayPatience = .milliseconds(500)
        }
        let count = 60_000
        try Self.cassette(folder.path("load.jsonl"), count: count)
        let stuck = try await Subscriber(bus: bus, reads: false)
        let fast = try await Subscriber(bus: bus)
        try await Task.sleep(for: .milliseconds(300))

        var options = Replayer.Options()
        options.speed = .max
        let link = try await bus.replayLink()
        let lenient = try await Replayer(path: folder.path("load.jsonl"), options: options).play(into: link)
        let forwarded = bus.proxy.statistics.replayed
        #expect(lenient.published == count && lenient.dropped > 0 && !lenient.isWhole, "\(lenient)")
        #expect(forwarded + lenient.dropped == count, "every message is either forwarded or counted: \(forwarded) + \(lenient.dropped)")
        #expect(lenient.description.contains("not delivered"))
        #expect(try await eventually { fast.received.load(ordering: .relaxed) == forwarded })
        #expect(fast.outOfOrder.load(ordering: .relaxed) == 0)

        options.strict = true
        await #expect {
            _ = try await Replayer(path: folder.path("load.jsonl"), options: options).play(into: link)
        } throws: { error in
            guard let stop = error as? Replayer.StrictStop else { return false }
            return stop.error == nil && stop.summary.dropped > 0
        }

        await link.close()
        await stuck.close()
        await fast.close()
        await bus.stop()
    }
}
