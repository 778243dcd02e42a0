/// One operation a NATS client sends (protocol 1).
public enum ClientOperation: Sendable, Equatable {
    case connect(ConnectOptions)
    /// `PUB <subject> [reply] <size>` and its payload.
    case pub(subject: String, replyTo: String?, payload: [UInt8])
    /// `HPUB <subject> [reply] <header size> <total size>`: headers (the `NATS/1.0` block) and payload.
    case hpub(subject: String, replyTo: String?, headers: [UInt8], payload: [UInt8])
    /// `SUB <subject> [queue group] <sid>`.
    case sub(subject: String, queue: String?, sid: String)
    /// `UNSUB <sid> [max messages]`.
    case unsub(sid: String, max: Int?)
    case ping
    case pong
}

/// The JSON of a client's `CONNECT`.
public struct ConnectOptions: Sendable, Equatable, Codable {
    public var verbose: Bool?
    public var pedantic: Bool?
    public var echo: Bool?
    public var headers: Bool?
    public var noResponders: Bool?
    public var name: String?
    public var lang: String?
    public var version: String?
    public var `protocol`: Int?
    public var authToken: String?
    public var user: String?
    public var pass: String?
    /// A user's public nkey, with `sig`: its signature of INFO's nonce.
    public var nkey: String?
    public var sig: String?
    public var tlsRequired: Bool?

    enum CodingKeys: String, CodingKey {
        case verbose, pedantic, echo, headers, name, lang, version, `protocol`, user, pass, nkey, sig
        case noResponders = "no_responders"
        case authToken = "auth_token"
        case tlsRequired = "tls_required"
    }

    public init() {}
}
