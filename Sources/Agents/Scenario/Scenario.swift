import BusCore
import Foundation
import Yams

/// A master scenario events list: timed injects, each a command sent as a named partner (or as
/// the mission), with the events it should cause. Written in YAML or JSON (see
/// docs/scenarios/mission.yaml and docs/replay.md).
public struct Scenario: Decodable, Sendable {
    public var name: String
    public var description: String?
    /// How each partner signs in at the gateway, for runs with `--gateway`.
    public var credentials: [String: PartnerClient.Credentials]?
    /// The member of the mission's staff the injects without a partner are sent as
    /// (`operator/<name>`); the bootstrap administrator when not given.
    public var staff: String?
    public var injects: [Inject]

    public struct Inject: Decodable, Sendable {
        /// When, from the start of the scenario.
        public var at: Offset
        /// The partner code the command is sent as; absent: the mission's own operator.
        public var partner: String?
        public var command: String
        public var version: Int?
        public var data: JSONValue
        /// What the inject stands for in the exercise, for people reading the report.
        public var note: String?
        public var expect: [Expectation]?

        enum CodingKeys: String, CodingKey {
            case at, command, version, data, note, expect
            case partner = "as"
        }
    }

    /// An event the inject should cause, found by type and by fields of its data.
    public struct Expectation: Decodable, Sendable {
        public var event: String
        /// Fields the event's data must hold (a subset match).
        public var fields: [String: JSONValue]?
        public var within: Offset?

        enum CodingKeys: String, CodingKey {
            case event, within
            case fields = "where"
        }

        /// Whether `envelope` is this expected event.
        public func matches(_ envelope: Envelope) -> Bool {
            guard envelope.type == event else { return false }
            guard let fields, !fields.isEmpty else { return true }
            guard let data = try? envelope.decodeData([String: JSONValue].self) else { return false }
            return fields.allSatisfy { data[$0.key] == $0.value }
        }
    }

    /// A time offset: milliseconds, or text such as `250ms`, `90s`, `2m`, `1h30m`.
    public struct Offset: Decodable, Sendable, Comparable {
        public var milliseconds: Int64

        public init(milliseconds: Int64) { self.milliseconds = milliseconds }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let milliseconds = try? container.decode(Int64.self) {
                self.milliseconds = milliseconds
                return
            }
            let text = try container.decode(String.self)
            guard let parsed = Self.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a time offset such as 250ms, 90s, 2m or 1h30m")
            }
            milliseconds = parsed
        }

        static func parse(_ text: String) -> Int64? {
            var total: Int64 = 0, number: Int64 = 0, digits = 0
            var rest = Substring(text.trimmingCharacters(in: .whitespaces))
            guard !rest.isEmpty else { return nil }
            while let first = rest.first {
                if let digit = first.wholeNumberValue {
                    number = number * 10 + Int64(digit)
                    digits += 1
                    rest = rest.dropFirst()
                    continue
                }
                guard digits > 0 else { return nil }
                let unit: Int64
                if rest.hasPrefix("ms") { unit = 1; rest = rest.dropFirst(2) }
                else if first == "s" { unit = 1_000; rest = rest.dropFirst() }
                else if first == "m" { unit = 60_000; rest = rest.dropFirst() }
                else if first == "h" { unit = 3_600_000; rest = rest.dropFirst() }
                else { return nil }
                total += number * unit
                number = 0
                digits = 0
            }
            return digits == 0 ? total : nil
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.milliseconds < rhs.milliseconds }
    }

    /// Reads a scenario from a `.yaml`/`.yml` or `.json` file.
    public static func load(path: String) throws -> Scenario {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioError("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            let scenario: Scenario
            if path.hasSuffix(".json") {
                scenario = try JSONTreeDecoder.decode(Scenario.self, from: Array(bytes))
            } else {
                scenario = try YAMLDecoder().decode(Scenario.self, from: bytes)
            }
            guard !scenario.injects.isEmpty else { throw ScenarioError("\(path): the scenario has no injects") }
            return scenario
        } catch let error as DecodingError {
            throw ScenarioError("\(path): \(JSONCoding.describe(error))")
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError("\(path): \(error)")
        }
    }

    /// The injects as command envelopes, in time order, stamped from `start`: ids and
    /// idempotency keys derive from the scenario's name and the inject's place, so sending the
    /// scenario twice changes nothing the second time.
    public func commands(start: Date) -> [(offset: Int64, envelope: Envelope)] {
        let slug = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return injects.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map { index, inject in
            let id = "\(String(slug))-\(index + 1)"
            var envelope = Envelope(id: id, source: inject.partner.map(PartnerSource.source(for:)) ?? CommandClient.staffSource(staff),
                                    type: inject.command,
                                    time: Timestamp.rfc3339(start.addingTimeInterval(Double(inject.at.milliseconds) / 1000)),
                                    dataVersion: inject.version ?? 1)
            envelope.idempotencyKey = id
            envelope.traceparent = "00-\(Self.hex(id, count: 32))-\(Self.hex(id + "/span", count: 16))-01"
            envelope.data = inject.data.bytes
            return (inject.at.milliseconds, envelope)
        }
    }

    /// Writes the injects' commands as a cassette of inputs, stamped from `start`: what
    /// `concord scenario --write-cassette` and the replay tests' inputs are.
    public func writeCassette(to path: String, start: Date, concord: String) throws {
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: start, concord: concord, topics: ["cmd."]))
        for (offset, envelope) in commands(start: start) {
            try writer.append(CassetteEntry(offset: offset, topic: envelope.type, envelope: EnvelopeCodec.encode(envelope)))
        }
        try writer.close()
    }

    /// A fixed hex string from `text`, so trace ids repeat with the scenario.
    private static func hex(_ text: String, count: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var digits = ""
        while digits.count < count {
            for byte in (text + "\(digits.count)").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            digits += String(hash, radix: 16).leftPadded(to: 16)
        }
        return String(digits.prefix(count))
    }
}

public struct ScenarioError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
