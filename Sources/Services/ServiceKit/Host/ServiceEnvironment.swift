import BusCore
import Foundation

/// The clock and id generator a service stamps envelopes with; fixed ones make replays repeatable.
public struct ServiceEnvironment: Sendable {
    public var clock: @Sendable () -> Date
    public var makeID: @Sendable () -> String

    public init(clock: @escaping @Sendable () -> Date = { Date() },
                makeID: @escaping @Sendable () -> String = { RandomID.uuid() }) {
        self.clock = clock
        self.makeID = makeID
    }

    /// A new envelope of `type` from `source`, stamped with an id and the current time.
    public func makeEnvelope(type: String, source: String) -> Envelope {
        Envelope(id: makeID(), source: source, type: type, time: Timestamp.rfc3339(clock()))
    }
}
