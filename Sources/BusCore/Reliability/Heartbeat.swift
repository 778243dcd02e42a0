/// What every journaled source advertises on `bus.heartbeat.emitted` at a fixed interval.
public struct Heartbeat: Sendable, Codable, Equatable {
    /// The topic (and type) of heartbeats.
    public static let type = "bus.heartbeat.emitted"

    /// The source, as in its events' `source` attribute.
    public var source: String
    /// The journal's epoch.
    public var epoch: String
    /// The last sequence number journaled.
    public var last: Int64
    /// The ROUTER endpoint serving catch-up.
    public var catchup: String
    /// How far this part has applied each source it follows (absent in older heartbeats and for
    /// parts that follow nothing): what `concord status` reports lag from.
    public var cursors: [String: Int64]?
    /// Dead letters the part keeps in its database (absent in older heartbeats): what
    /// `concord status` and the console's operator page show.
    public var deadLetters: Int64?

    public init(source: String, epoch: String, last: Int64, catchup: String, cursors: [String: Int64]? = nil) {
        self.source = source
        self.epoch = epoch
        self.last = last
        self.catchup = catchup
        self.cursors = cursors
    }

    /// The catalog entry for heartbeats, known to every part.
    public static let messageType = MessageType(type, summary: "A journaled source's epoch, last sequence and catch-up endpoint.")
        .labelled("none: for Concord's own parts, and no partner gets an unlabelled message")
}
