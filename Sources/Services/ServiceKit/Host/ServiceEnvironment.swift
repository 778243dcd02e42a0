import BusCore
import Foundation
import Synchronization

/// The clock and id generator a service stamps envelopes with; fixed ones make replays repeatable.
public struct ServiceEnvironment: Sendable {
    public var clock: @Sendable () -> Date
    public var makeID: @Sendable () -> String

    public init(clock: @escaping @Sendable () -> Date = { Date() },
                makeID: @escaping @Sendable () -> String = { RandomID.uuid() }) {
        self.clock = clock
        self.makeID = makeID
    }

    /// A fixed clock and ids counted per service (`<prefix>-000001`, …): a replay of the same
    /// inputs then stamps the same ids and times.
    public static func deterministic(at time: Date, idPrefix: String) -> ServiceEnvironment {
        let counter = Atomic<Int>(0)
        return ServiceEnvironment(clock: { time }, makeID: {
            let next = counter.add(1, ordering: .relaxed).newValue
            return "\(idPrefix)-\(String(next).leftPadded(to: 6))"
        })
    }

    /// A new envelope of `type` from `source`, stamped with an id and the current time.
    public func makeEnvelope(type: String, source: String) -> Envelope {
        Envelope(id: makeID(), source: source, type: type, time: Timestamp.rfc3339(clock()))
    }
}
