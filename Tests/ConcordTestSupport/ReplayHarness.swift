import Agents
import BusCore
import Foundation
import GRDB
import ServiceKit
import Synchronization

/// Replay tests: every given service in one process on a real bus, each with a fixed clock and
/// its own counted ids, fed a cassette of input commands. What comes out — each command's
/// answer, then the events it caused in source and sequence order — is compared with a golden
/// cassette. `CONCORD_UPDATE_GOLDEN=1` rewrites the golden files (and the input cassettes from
/// their scenario files) instead of comparing.
public final class ReplayHarness: Sendable {
    /// The harness's fixed time: 2026-11-21T08:00:00Z.
    public static let fixedTime = Date(timeIntervalSince1970: 1_795_248_000)
    /// Envelope attributes whose values are not behaviour and are left out of comparisons.
    public static let maskedAttributes = ["traceparent"]

    let bus: TestBus
    let folder: TemporaryFolder
    let services: [RunningService]
    let connection: BusConnection

    public init(services domains: [any DomainService]) async throws {
        bus = try await TestBus()
        folder = try TemporaryFolder()
        var services: [RunningService] = []
        for domain in domains {
            services.append(try await RunningService(domain, bus: bus, databasePath: folder.path("\(domain.name).sqlite"),
                                                     environment: .deterministic(at: Self.fixedTime, idPrefix: domain.name)))
        }
        self.services = services
        connection = try await bus.connect()
        connection.subscribe("")
        try await Task.sleep(for: .milliseconds(200))
    }

    public func stop() async {
        await connection.close()
        for service in services.reversed() { await service.stop() }
        await bus.stop()
        folder.remove()
    }

    /// Feeds every command of the input cassette, one at a time: each waits for its answer and
    /// for the bus to go quiet, so the events it caused are its own.
    public func run(inputs path: String) async throws -> [CassetteEntry] {
        let reader = try CassetteReader(path: path)
        var outputs: [CassetteEntry] = []
        while let next = try reader.next() {
            let input = try next.get()
            var command = try EnvelopeCodec.decode(input.envelope)
            command.replyTo = nil
            let answer = try await connection.request(command, timeout: .seconds(10))
            outputs.append(Self.entry(answer, topic: "answer to \(command.type)", index: outputs.count))
            for event in try await quietEvents() { outputs.append(Self.entry(event, topic: event.type, index: outputs.count)) }
        }
        return outputs
    }

    /// Events until every service has applied everything it follows and nothing new arrives for
    /// 100 ms (20 s at most), in source and sequence order. Waiting on the cursors, not on time
    /// alone, keeps a slow machine from moving a reaction into the next command's outputs.
    private func quietEvents() async throws -> [Envelope] {
        var events: [Envelope] = []
        var quietSince = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if ContinuousClock.now - quietSince >= .milliseconds(100), try settled() { break }
            let burst = connection.messages.drainAvailable(max: 1_000)
                .filter { $0.topic != Heartbeat.type && !$0.topic.hasPrefix("cmd.") && !$0.topic.hasPrefix("query.") && !$0.topic.hasPrefix("_INBOX.") }
            if burst.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            events += try burst.map { try EnvelopeCodec.decode($0.payload) }
            quietSince = .now
        }
        return events.sorted { ($0.source, $0.sequence ?? 0) < ($1.source, $1.sequence ?? 0) }
    }

    /// Whether every consumer's cursor has reached the end of the journal it follows.
    private func settled() throws -> Bool {
        var last: [String: Int64] = [:], cursors: [(String, Int64)] = []
        for service in services {
            let database = try DatabaseQueue(path: folder.path("\(service.host.service.name).sqlite"))
            try database.read { db in
                last[service.host.service.source] = try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM journal") ?? 0
                cursors += try Row.fetchAll(db, sql: "SELECT source, position FROM consumer_cursor").map { ($0[0], $0[1]) }
            }
        }
        return cursors.allSatisfy { source, position in position >= last[source] ?? 0 }
    }

    /// An output as a cassette line: offsets count outputs, masked attributes are dropped.
    static func entry(_ envelope: Envelope, topic: String, index: Int) -> CassetteEntry {
        var envelope = envelope
        if maskedAttributes.contains("traceparent") { envelope.traceparent = nil }
        return CassetteEntry(offset: Int64(index), topic: topic, envelope: EnvelopeCodec.encode(envelope))
    }

    // MARK: Golden files

    /// Nil when `outputs` match the golden cassette (or it was rewritten); otherwise a readable
    /// account of the first difference.
    public static func compare(_ outputs: [CassetteEntry], golden path: String) throws -> String? {
        if ProcessInfo.processInfo.environment["CONCORD_UPDATE_GOLDEN"] == "1" {
            try write(outputs, to: path)
            return nil
        }
        guard FileManager.default.fileExists(atPath: path) else {
            return "no golden cassette at \(path); run the test with CONCORD_UPDATE_GOLDEN=1 to write it"
        }
        let (golden, unreadable) = try readCassette(path)
        if let first = unreadable.first { return "the golden cassette \(path) is damaged: \(first)" }
        return difference(golden: golden, actual: outputs)
    }

    static func write(_ outputs: [CassetteEntry], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: fixedTime, concord: "golden"))
        for entry in outputs { try writer.append(entry) }
        try writer.close()
    }

    /// The first line that differs, with the fields that differ in it.
    public static func difference(golden: [CassetteEntry], actual: [CassetteEntry]) -> String? {
        for index in 0..<max(golden.count, actual.count) {
            let line = index + 2 // the header is line 1
            guard index < golden.count else {
                return "line \(line): an output the golden cassette does not have: \(actual[index].topic)\n  got: \(text(actual[index]))"
            }
            guard index < actual.count else {
                return "line \(line): the golden cassette expects \(golden[index].topic), and nothing more came out\n  expected: \(text(golden[index]))"
            }
            guard golden[index] != actual[index] else { continue }
            let expected = flatten(golden[index]), got = flatten(actual[index])
            let fields = Set(expected.keys).union(got.keys).sorted().filter { expected[$0] != got[$0] }
            return (["line \(line) (\(golden[index].topic)) differs:"] + fields.map {
                "  \($0): expected \(expected[$0] ?? "(absent)"), got \(got[$0] ?? "(absent)")"
            }).joined(separator: "\n")
        }
        return nil
    }

    private static func text(_ entry: CassetteEntry) -> String { String(decoding: entry.envelope, as: UTF8.self) }

    /// `path = value` for every leaf of an entry's envelope, data included.
    static func flatten(_ entry: CassetteEntry) -> [String: String] {
        var fields: [String: String] = ["topic": entry.topic]
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case .object(let members): for (key, member) in members { walk(member, path.isEmpty ? key : "\(path).\(key)") }
            case .array(let elements): for (index, element) in elements.enumerated() { walk(element, "\(path)[\(index)]") }
            default: fields[path] = String(decoding: value.bytes, as: UTF8.self)
            }
        }
        if let tree = try? JSONTreeDecoder.parse(entry.envelope) { walk(tree, "") }
        return fields
    }

    /// Writes the input cassette of a scenario file, stamped at the fixed time, when golden files
    /// are being rewritten; the committed cassette is used otherwise.
    public static func prepareInputs(scenario: String, cassette: String) throws {
        guard ProcessInfo.processInfo.environment["CONCORD_UPDATE_GOLDEN"] == "1" || !FileManager.default.fileExists(atPath: cassette) else { return }
        try Scenario.load(path: scenario).writeCassette(to: cassette, start: fixedTime, concord: "golden")
    }
}

/// Every line of a small cassette, read into memory (tests only: replays stream).
public func readCassette(_ path: String) throws -> (entries: [CassetteEntry], errors: [CassetteError]) {
    let reader = try CassetteReader(path: path)
    var entries: [CassetteEntry] = [], errors: [CassetteError] = []
    while let next = try reader.next() {
        switch next {
        case .success(let entry): entries.append(entry)
        case .failure(let error): errors.append(error)
        }
    }
    return (entries, errors)
}

/// Every message of a cassette that must be whole; its first unreadable line is thrown.
public func readWholeCassette(_ path: String) throws -> [CassetteEntry] {
    let (entries, errors) = try readCassette(path)
    if let first = errors.first { throw first }
    return entries
}
