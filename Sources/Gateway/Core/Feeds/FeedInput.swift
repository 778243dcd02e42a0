import BusCore

/// What the feed engine acts on, one at a time, in arrival order.
enum FeedInput: Sendable {
    /// A partner's message to the JetStream API (`$JS.API.…`) or to an ack subject (`$JS.ACK.…`).
    case call(FeedCall)
    /// Views that grew.
    case indexed(Set<FeedIndexer.ViewKey>)
    /// A partner connection closed.
    case closed(connection: UInt64)
    /// Time passed: ack waits and pull requests may have run out.
    case tick
}

/// A partner's publish to a JetStream subject, with who sent it.
struct FeedCall: Sendable {
    let connection: UInt64
    let partner: String
    let subject: String
    let replyTo: String?
    let payload: [UInt8]
}
