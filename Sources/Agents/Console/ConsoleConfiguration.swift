import Agents
import Logging

/// How the console runs: where it listens, which gateway it signs partners in to, how long a
/// browser session lasts, and what the operator page reads.
public struct ConsoleConfiguration: Sendable {
    /// Interface and port the console listens on; port 0 picks a free one (reported when ready).
    public var host = "127.0.0.1"
    public var port = 8080
    /// The gateway partners sign in to: the console is one of its clients, with each partner's
    /// own credential, so the gateway's rules decide everything a browser receives.
    public var gatewayHost = "127.0.0.1"
    public var gatewayPort = 4222
    /// Where the gateway's port comes from when it is known only once the gateway listens
    /// (`concord up` with port 0); otherwise `gatewayPort`.
    public var gatewayPortSource: (@Sendable () async throws -> Int)?
    public var gatewayTLS: PartnerClient.TLS?
    /// A session ends this long after sign-in, whatever happens.
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Most sessions at once; sign-in beyond it is refused until one ends.
    public var maxSessions = 2_000
    /// SHA-256 of the operator token; without it nobody signs in as an operator.
    public var operatorTokenHash: [UInt8]?
    /// A tile server URL template (`https://…/{z}/{x}/{y}.png`) drawn under the layers; without
    /// it the basemap is a graticule with the mission's areas, which needs no network.
    public var tileURL: String?
    /// Where Debian's libjs-leaflet put Leaflet.
    public var leafletFolder = "/usr/share/javascript/leaflet"
    /// The operator page's table: every part's health, journal position, lag and dead letters.
    public var operatorStatus: (@Sendable () async -> [StatusRow])?
    /// Called once as the console starts (the operator page's bus connection, so heartbeats are
    /// heard before the first look).
    public var onStart: (@Sendable () async -> Void)?
    public var logger = Logger(label: "concord.console")

    public init() {}

    /// One row of the operator page.
    public struct StatusRow: Sendable, Codable, Equatable {
        public var part: String
        public var health: String
        public var sequence: String
        public var lag: String
        public var deadLetters: String
        public init(part: String, health: String, sequence: String, lag: String, deadLetters: String) {
            self.part = part
            self.health = health
            self.sequence = sequence
            self.lag = lag
            self.deadLetters = deadLetters
        }
    }
}
