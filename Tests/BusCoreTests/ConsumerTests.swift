import BusCore
import ConcordTestSupport
import Foundation
import Testing

@Suite("Reliable consumption", .serialized)
struct ConsumerTests {
    static let catalog = MessageCatalog([
        MessageType("items.item.recorded", summary: "test event"),
        MessageType("other.item.recorded", summary: "test event"),
    ])

    @Test("a consumer that starts after 1,000 events receives all 1,000 in order, once")
    func lateJoin() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let source = try await TestSource(name: "items", bus: bus, folder: folder)
        try await source.emit(1_000, type: "items.item.recorded")

        let consumer = try await RecordingConsumer(follow: ["test/items"], bus: bus, path: folder.path("consumer.sqlite"), catalog: Self.catalog)
        #expect(try await eventually { try await consumer.seen("test/items").count >= 1_000 })
        // Let any late duplicate arrive before judging.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await consumer.seen("test/items") == Array(1...1_000))
        #expect(await consumer.consumer.cursor("test/items").position == 1_000)

        await consumer.stop()
        await source.stop()
        await bus.stop()
        folder.remove()
    }

    @Test("a consumer stopped in the middle of a 10,000-event stream and restarted applies every event exactly once")
    func restartMidStream() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let source = try await TestSource(name: "items", bus: bus, folder: folder)
        let path = folder.path("consumer.sqlite")
        let first = try await RecordingConsumer(follow: ["test/items"], bus: bus, path: path, catalog: Self.catalog)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await source.emit(10_000, type: "items.item.recorded", perTransaction: 20) }
            #expect(try await eventually { try await first.seen("test/items").count >= 2_000 })
            await first.stop()
            let stoppedAt = try await first.seen("test/items").count
            #expect(stoppedAt < 10_000, "the stream should still be running when the consumer stops")
            try await group.waitForAll()
        }

        let second = try await RecordingConsumer(follow: ["test/items"], bus: bus, path: path, catalog: Self.catalog)
        #expect(try await eventually { try await second.seen("test/items").count >= 10_000 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await second.seen("test/items") == Array(1...10_000))

        await second.stop()
        await source.stop()
        await bus.stop()
        folder.remove()
    }

    @Test("undecodable, unknown and newer events go to the dead-letter log and the consumer goes on")
    func deadLetters() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let source = try await TestSource(name: "items", bus: bus, folder: folder)
        let consumer = try await RecordingConsumer(follow: ["test/items"], bus: bus, path: folder.path("consumer.sqlite"), catalog: Self.catalog)
        try await Task.sleep(for: .milliseconds(200))

        try await source.emit(2, type: "items.item.recorded")
        try await source.emit(1, type: "items.item.recorded", version: 7)      // newer than known
        try await source.emit(1, type: "items.thing.vanished")                 // unknown type
        try await source.emit(2, type: "items.item.recorded")
        // Garbage straight onto a followed topic, outside any journal.
        source.connection.publish(topic: "items.item.recorded", payload: Array("{not json".utf8))
        try await source.emit(1, type: "items.item.recorded")

        #expect(try await eventually { await consumer.consumer.cursor("test/items").position == 7 })
        #expect(try await eventually { try await consumer.deadLetters().count == 3 })
        #expect(try await consumer.seen("test/items") == [1, 2, 5, 6, 7])
        let letters = try await consumer.deadLetters()
        let codes = Set(letters.map(\.code))
        #expect(codes == ["newer_version", "unknown_type", "malformed_json"])
        #expect(letters.first { $0.code == "newer_version" }?.reason.contains("version 7") == true)
        #expect(letters.first { $0.code == "unknown_type" }?.sequence == 4)

        await consumer.stop()
        await source.stop()
        await bus.stop()
        folder.remove()
    }

    @Test("a consumer follows a source whose journal was reset, starting over at its new epoch")
    func journalReset() async throws {
        let bus = try await TestBus()
        let folder = try TemporaryFolder()
        let path = folder.path("consumer.sqlite")
        let consumer = try await RecordingConsumer(follow: ["test/items"], bus: bus, path: path, catalog: Self.catalog)
        let firstFolder = try TemporaryFolder()
        let source = try await TestSource(name: "items", bus: bus, folder: firstFolder)
        try await source.emit(5, type: "items.item.recorded")
        #expect(try await eventually { try await consumer.seen("test/items").count == 5 })
        await source.stop()
        firstFolder.remove()

        let secondFolder = try TemporaryFolder()
        let reborn = try await TestSource(name: "items", bus: bus, folder: secondFolder)
        try await reborn.emit(3, type: "items.item.recorded")
        #expect(try await eventually { try await consumer.seen("test/items").count == 8 })
        #expect(try await consumer.seen("test/items") == [1, 2, 3, 4, 5, 1, 2, 3])

        await consumer.stop()
        await reborn.stop()
        await bus.stop()
        secondFolder.remove()
        folder.remove()
    }
}
