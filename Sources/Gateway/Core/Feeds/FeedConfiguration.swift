/// How the gateway serves durable partner feeds (its JetStream API).
public struct FeedConfiguration: Sendable {
    /// The gateway's own SQLite database: views, consumers, acknowledgements.
    public var databasePath: String
    /// The streams offered: one per service.
    public var streams = FeedStream.mission
    /// Consumers one partner may hold over all streams; one more gets JetStream's
    /// `maximum consumers limit reached` (10026).
    public var maxConsumersPerPartner = 100
    /// The most unacknowledged messages a consumer may hold: a larger `max_ack_pending` is held
    /// to it; the default is 1,000, as nats-server's.
    public var maxAckPendingLimit = 10_000
    /// Requests, acknowledgements and index notices waiting for the feed engine at most; beyond
    /// it a request is refused and an acknowledgement is lost (the message comes again).
    public var inboxCapacity = 65_536

    public init(databasePath: String) { self.databasePath = databasePath }
}
