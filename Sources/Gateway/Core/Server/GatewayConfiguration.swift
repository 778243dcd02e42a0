import BusCore
import Logging
import NATSProtocol

/// How a gateway is set up.
public struct GatewayConfiguration: Sendable {
    /// Interface and port partners connect to (port 0: any free port).
    public var host = "127.0.0.1"
    public var port = 4222
    public var endpoints: BusEndpoints
    /// Every message type partners may send, from every service.
    public var catalog: MessageCatalog
    public var limits = ClientDecoder.Limits()
    /// Time a connection has to authenticate.
    public var authTimeout: Duration = .seconds(2)
    /// Server PING interval; a partner missing `maxPingsOut` of them is stale.
    public var pingInterval: Duration = .seconds(120)
    public var maxPingsOut = 2
    /// Bytes waiting to be written to one partner before it is cut off as a slow consumer.
    public var maxPending = 8 << 20
    /// Connections in all; one more gets nats-server's `-ERR 'maximum connections exceeded'`.
    public var maxConnections = 10_000
    /// Signed-in connections of one partner; one more gets
    /// `-ERR 'maximum account active connections exceeded'`.
    public var maxConnectionsPerPartner = 64
    /// Subscriptions on one connection; one more gets `-ERR 'maximum subscriptions exceeded'`
    /// and the connection stays open, as with nats-server.
    public var maxSubscriptions = 10_000
    /// When failed sign-ins from one address are slowed and then refused unchecked.
    public var authThrottle = AuthenticationThrottle.Limits()
    /// How long a partner's request waits for a service's answer.
    public var requestTimeout: Duration = .seconds(10)
    /// A service whose heartbeat is older than this counts as gone (no responders).
    public var serviceTimeout: Duration = .seconds(10)
    /// PEM files for TLS; nil serves plain TCP.
    public var tls: TLSFiles?
    public var serverName = "concord-gateway"
    public var logger = Logger(label: "concord.gateway")
    /// Durable partner feeds (the JetStream API); nil offers live feeds only.
    public var feeds: FeedConfiguration?
    /// On a secure bus: the gateway's identity (`concord/gateway`) and keys.
    public var security: BusSecurity?

    public init(endpoints: BusEndpoints, catalog: MessageCatalog) {
        self.endpoints = endpoints
        self.catalog = catalog
    }

    /// Certificate chain and private key, as PEM file paths.
    public struct TLSFiles: Sendable {
        public var certificate: String
        public var privateKey: String
        /// With a CA, partners must present a client certificate it signed, naming their
        /// partner (`ClientCertificate`), and may sign in only as that partner.
        public var clientCA: String?
        public init(certificate: String, privateKey: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.privateKey = privateKey
            self.clientCA = clientCA
        }
    }

    /// The version the gateway reports in INFO.
    public static let version = "0.1.0"
}
