import BusCore
import ConcordTestSupport
import Foundation
import Testing

@Suite("Cassette files")
struct CassetteTests {
    static func entry(_ index: Int) -> CassetteEntry {
        var envelope = Envelope(id: "e-\(index)", source: "concord/test", type: "test.thing.happened",
                                time: "2026-11-21T14:45:03.123Z", dataVersion: 1, sequence: Int64(index))
        envelope.data = Array(#"{"n":\#(index),"note":"line\nbreak \"quoted\""}"#.utf8)
        return CassetteEntry(offset: Int64(index * 10), topic: envelope.type, envelope: EnvelopeCodec.encode(envelope))
    }

    static func write(_ count: Int, to path: String) throws {
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: Date(), concord: "test"))
        for index in 1...count { try writer.append(entry(index)) }
        try writer.close()
    }

    @Test("messages written come back in order, byte for byte, across read chunks")
    func roundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Enough lines to span more than one 1 MiB read.
        try Self.write(5_000, to: folder.path("c.jsonl"))
        let (entries, errors) = try readCassette(folder.path("c.jsonl"))
        #expect(errors.isEmpty)
        #expect(entries == (1...5_000).map(Self.entry))
    }

    @Test("a cut-off last line is reported with its number; every line before it reads")
    func truncated() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("c.jsonl")
        try Self.write(10, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 40).write(to: URL(fileURLWithPath: path))
        let (entries, errors) = try readCassette(path)
        #expect(entries.count == 9)
        #expect(errors.map(\.line) == [11])
        #expect(errors.first?.reason.hasPrefix("incomplete last line") == true)
    }

    @Test("corrupted lines are reported with their numbers and skipped; the rest reads")
    func corrupted() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("c.jsonl")
        try Self.write(6, to: path)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = "{\"offset\":20,\"topic\":\"x\",\"envelope\":{\"broken"   // line 3
        lines[4] = "\u{00}\u{01} not json at all"                              // line 5
        lines[5] = "{\"offset\":-4,\"topic\":\"x\",\"envelope\":{}}"             // line 6
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let (entries, errors) = try readCassette(path)
        #expect(entries.map(\.offset) == [10, 30, 60])
        #expect(errors.map(\.line) == [3, 5, 6])
        #expect(errors.allSatisfy { $0.description.hasPrefix("line ") })
    }

    @Test("a cassette of a newer format, an empty file and a foreign file are refused clearly")
    func refused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let newer = folder.path("newer.jsonl")
        try #"{"cassette":2,"started":"2026-11-21T14:45:03.123Z","concord":"9.0","topics":[]}"#.write(toFile: newer, atomically: true, encoding: .utf8)
        #expect { _ = try CassetteReader(path: newer) } throws: { error in
            (error as? CassetteError)?.description == "line 1: cassette format 2 is newer than this Concord reads (1); replay it with a newer Concord"
        }
        let empty = folder.path("empty.jsonl")
        _ = FileManager.default.createFile(atPath: empty, contents: nil)
        #expect { _ = try CassetteReader(path: empty) } throws: { error in
            (error as? CassetteError)?.description == "line 1: the cassette is empty: no header line"
        }
        let foreign = folder.path("foreign.jsonl")
        try "hello\n".write(toFile: foreign, atomically: true, encoding: .utf8)
        #expect { _ = try CassetteReader(path: foreign) } throws: { error in
            (error as? CassetteError)?.description.hasPrefix("line 1: not a cassette header") == true
        }
    }
}
