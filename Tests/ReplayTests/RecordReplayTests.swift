import Agents
import BusCore
import ConcordTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Recording and replaying bus traffic", .serialized)
struct RecordReplayTests {
    static let catalog = MessageCatalog([MessageType("items.item.recorded", summary: "test event")])

    /// Starts a recorder on the bus and waits until its subscription has reached the proxy.
    static func startRecorder(_ configuration: Recorder.Configuration, bus: TestBus) async throws -> (Recorder, Task<Void, any Error>) {
        let recorder = Recorder(configuration: configuration, context: bus.context)
        let task = Task { try await recorder.run() }
        try await recorder.waitUntilReady()
        // A SUB socket's subscription travels to the capture socket after it connects.
        try await Task.sleep(for: .milliseconds(300))
        return (recorder, task)
    }

    @Test("a replay keeps identity, so a consumer that has the events applies none twice; --as-new makes fresh ones")
    func identity() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cassette = folder.path("items.jsonl")
        let (recorder, recording) = try await Self.startRecorder(.init(capture: bus.endpoints.capture, output: cassette), bus: bus)
        let source = try await TestSource(name: "items", bus: bus, folder: folder)
        let consumer = try await RecordingConsumer(follow: ["test/items"], bus: bus, path: folder.path("consumer.sqlite"), catalog: Self.catalog)
        try await source.emit(100, type: "items.item.recorded")
        #expect(try await eventually { try await consumer.seen("test/items").count == 100 })
        recorder.stop()
        try await recording.value
        let summary = try await recorder.summary
        let recorded = try readWholeCassette(cassette).filter { $0.topic == "items.item.recorded" }
        #expect(recorded.count == 100)
        #expect(summary.written >= 100 && summary.withheld == 0)

        let player = try await bus.replayLink()
        var options = Replayer.Options()
        options.speed = .max
        let replayed = try await Replayer(path: cassette, options: options).play(into: player)
        #expect(replayed.published == summary.written)
        #expect(try await eventually { await consumer.consumer.statistics.duplicates >= 100 })
        #expect(try await consumer.seen("test/items") == Array(1...100))

        // As new: the same data from concord/replay, new ids, no sequence, the original id kept.
        let listener = try await bus.connect()
        listener.subscribe("items.")
        try await Task.sleep(for: .milliseconds(200))
        options.asNew = true
        options.topics = ["items."]
        let fresh = try await Replayer(path: cassette, options: options).play(into: player)
        #expect(fresh.published == 100 && fresh.skipped == summary.written - 100)
        let inbox = Mutex<[BusMessage]>([])
        #expect(try await eventually { inbox.withLock { $0 += listener.messages.drainAvailable(max: 1_000); return $0.count >= 100 } })
        let received = try inbox.withLock { $0 }.map { try EnvelopeCodec.decode($0.payload) }
        let originals = try recorded.map { try EnvelopeCodec.decode($0.envelope) }
        #expect(received.allSatisfy { $0.source == "concord/replay" && $0.sequence == nil })
        #expect(received.map { $0.extensions["replayof"] } == originals.map(\.id))
        #expect(Set(received.map(\.id)).isDisjoint(with: originals.map(\.id)))
        #expect(received.map(\.data) == originals.map(\.data))

        await listener.close()
        await player.close()
        await consumer.stop()
        await source.stop()
        await bus.stop()
    }

    @Test("a recording for a partner holds only what that partner could receive from the gateway")
    func redaction() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cassette = folder.path("nld.jsonl")
        var configuration = Recorder.Configuration(capture: bus.endpoints.capture, output: cassette)
        configuration.releasableTo = "NLD"
        configuration.maxClassification = .restricted
        let (recorder, recording) = try await Self.startRecorder(configuration, bus: bus)

        let labels: [(String?, [String])] = [
            ("RESTRICTED", ["NLD", "AU"]), ("CONFIDENTIAL", ["NLD"]), ("UNCLASSIFIED", ["MSF"]), ("UNCLASSIFIED", ["NLD", "MSF"]),
            (nil, []), ("SECRET", ["NLD"]), ("TOP-SECRET-ISH", ["NLD"]), ("RESTRICTED", []), ("UNCLASSIFIED", ["nld"]),
        ]
        let publisher = try await bus.connect()
        var allowed = 0
        for round in 0..<20 {
            for (index, (classification, releasableTo)) in labels.enumerated() {
                var envelope = Envelope(id: "e-\(round)-\(index)", source: "concord/intelligence", type: "intelligence.report.filed",
                                        dataVersion: 1, classification: classification, releasableTo: releasableTo)
                envelope.data = Array(#"{"round":\#(round)}"#.utf8)
                publisher.publish(envelope)
                if Releasability.allows(classification: classification, releasableTo: releasableTo, partner: "NLD", clearance: .restricted) {
                    allowed += 1
                }
            }
            // Commands carry no label: a partner's recording never holds them.
            publisher.publish(Envelope(id: "c-\(round)", source: "concord/cli", type: "cmd.registry.partner.register", dataVersion: 1))
        }
        #expect(allowed == 40)
        #expect(try await eventually { (try? readWholeCassette(cassette).count) == 40 })
        recorder.stop()
        try await recording.value

        let entries = try readWholeCassette(cassette)
        #expect(entries.count == allowed)
        for entry in entries {
            let envelope = try EnvelopeCodec.decode(entry.envelope)
            #expect(Releasability.allows(classification: envelope.classification, releasableTo: envelope.releasableTo,
                                         partner: "NLD", clearance: .restricted), "line for \(envelope.id) must not be in NLD's cassette")
        }
        let header = try CassetteReader(path: cassette).header
        #expect(header.releasableTo == "NLD" && header.maxClassification == "RESTRICTED")
        let summary = try await recorder.summary
        #expect(summary.written == 40 && summary.withheld >= 20 * labels.count - 40 + 20)

        await publisher.close()
        await bus.stop()
    }

    @Test("a replay skips unreadable lines with their numbers, or stops at the first with --strict; it starts at an offset and keeps pace")
    func options() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("hand.jsonl")
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: Date(), concord: "test"))
        for index in 0..<10 {
            let envelope = Envelope(id: "h-\(index)", source: "concord/test", type: index % 2 == 0 ? "even.thing.happened" : "odd.thing.happened", dataVersion: 1)
            try writer.append(CassetteEntry(offset: Int64(index * 60), topic: envelope.type, envelope: EnvelopeCodec.encode(envelope)))
        }
        try writer.close()
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: #""id":"h-4""#, with: #""id":"h-4"#)   // line 6 loses its closing quote
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let player = try await bus.replayLink()
        var options = Replayer.Options()
        options.speed = .max
        let reported = Mutex<[Int?]>([])
        let lenient = try await Replayer(path: path, options: options).play(into: player) { error in reported.withLock { $0.append(error.line) } }
        #expect(lenient == Replayer.Summary(published: 9, skipped: 0, malformed: 1))
        #expect(reported.withLock { $0 } == [6])

        options.strict = true
        await #expect { _ = try await Replayer(path: path, options: options).play(into: player) } throws: { error in
            guard let stop = error as? Replayer.StrictStop else { return false }
            return stop.error?.line == 6 && stop.summary.published == 4
        }

        options.strict = false
        options.fromOffset = 300
        options.topics = ["odd."]
        options.speed = .original
        let started = ContinuousClock.now
        let late = try await Replayer(path: path, options: options).play(into: player)
        // Offsets 300…540 at the recorded pace: the last one goes out about 240 ms after the first.
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(late == Replayer.Summary(published: 3, skipped: 6, malformed: 1))

        await player.close()
        await bus.stop()
    }
}
