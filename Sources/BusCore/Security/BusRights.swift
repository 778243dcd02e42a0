import Crypto

/// Who may say what on the bus: for every authenticated identity, the topics it may publish
/// with the `source` it may stamp, the topic prefixes it may read, and which of the bus's other
/// sockets it may reach. The proxy and every catch-up server check each message and each
/// subscription against this one table; nothing outside it is allowed (fail closed).
public struct BusRights: Sendable {
    /// What one identity may do.
    public struct Grant: Sendable, Equatable {
        /// Topics it may publish, each with the sources it may stamp on them.
        public var publish: [TopicGrant] = []
        /// Topic prefixes it may subscribe to (and anything narrower); its own inboxes always.
        public var read: [String] = []
        /// Whether it may tap the capture socket (a copy of everything: the recorder).
        public var capture = false
        /// Whether it may play cassettes into the replay socket.
        public var replay = false
        /// The journaled sources whose catch-up it may fetch.
        public var follows: Set<String> = []

        public init(publish: [TopicGrant] = [], read: [String] = [], capture: Bool = false, replay: Bool = false,
                    follows: Set<String> = []) {
            self.publish = publish
            self.read = read
            self.capture = capture
            self.replay = replay
            self.follows = follows
        }
    }

    /// Topics under `prefix` may be published when their envelope's `source` is allowed.
    public struct TopicGrant: Sendable, Equatable {
        public var prefix: String
        /// Sources allowed exactly, e.g. `concord/logistics`.
        public var sources: Set<String> = []
        /// Sources allowed by prefix, e.g. `partner/` for the gateway.
        public var sourcePrefix: String?

        public init(_ prefix: String, sources: Set<String> = [], sourcePrefix: String? = nil) {
            self.prefix = prefix
            self.sources = sources
            self.sourcePrefix = sourcePrefix
        }

        func allows(source: String) -> Bool {
            sources.contains(source) || sourcePrefix.map { source.hasPrefix($0) && source.count > $0.count } == true
        }
    }

    /// The sockets a connection can be made to, as ZAP names them (`ZMQ_ZAP_DOMAIN`).
    public enum Domain: Sendable, Equatable, CustomStringConvertible {
        case publish, subscribe, capture, replay
        /// The catch-up server of one journaled source.
        case catchUp(source: String)

        public var description: String {
            switch self {
            case .publish: "concord.publish"
            case .subscribe: "concord.subscribe"
            case .capture: "concord.capture"
            case .replay: "concord.replay"
            case .catchUp(let source): "concord.catchup." + source
            }
        }

        init?(_ text: String) {
            switch text {
            case "concord.publish": self = .publish
            case "concord.subscribe": self = .subscribe
            case "concord.capture": self = .capture
            case "concord.replay": self = .replay
            default:
                guard text.hasPrefix("concord.catchup."), text.count > 16 else { return nil }
                self = .catchUp(source: String(text.dropFirst(16)))
            }
        }
    }

    public private(set) var grants: [String: Grant]

    public init(_ grants: [String: Grant]) { self.grants = grants }

    /// Whether `identity` may connect to `domain`.
    public func mayConnect(_ identity: String, to domain: Domain) -> Bool {
        guard let grant = grants[identity] else { return false }
        switch domain {
        case .publish, .subscribe: return true
        case .capture: return grant.capture
        case .replay: return grant.replay
        case .catchUp(let source): return grant.follows.contains(source)
        }
    }

    /// Why `identity` may not publish `payload` on `topic`, or nil when it may.
    ///
    /// An empty payload is a connection's probe of its own round trip and carries nothing; it
    /// may go to an inbox only. Anything else must be an envelope whose `source` the identity
    /// may stamp on that topic (an envelope naming `source` twice is refused by every decoder).
    public func publishRefusal(_ identity: String, topic: String, payload: UnsafeRawBufferPointer) -> String? {
        guard let grant = grants[identity] else { return "\(identity) has no rights on the bus" }
        if payload.isEmpty {
            return topic.hasPrefix(Self.inboxRoot) ? nil : "an empty message outside an inbox"
        }
        guard grant.publish.contains(where: { topic.hasPrefix($0.prefix) }) else { return "\(identity) may not publish on \(topic)" }
        guard let source = EnvelopeCodec.source(of: payload) else { return "no source in the envelope" }
        guard grant.publish.contains(where: { topic.hasPrefix($0.prefix) && $0.allows(source: source) }) else {
            return "\(identity) may not publish \(topic) as \(source)"
        }
        return nil
    }

    /// Whether `identity` may subscribe to `prefix`: it lies inside one of its read prefixes or
    /// its own inboxes. A wider prefix (down to "", everything) is refused.
    public func mayRead(_ identity: String, prefix: String) -> Bool {
        guard let grant = grants[identity] else { return false }
        if prefix.hasPrefix(Self.inboxPrefix(of: identity)) { return true }
        return grant.read.contains { prefix.hasPrefix($0) }
    }

    /// The subscriptions that give `identity` what `prefix` asks for within its rights: the
    /// prefix itself when allowed, else its read prefixes that lie inside it (the gateway
    /// serving a partner's `>` subscribes to each service's events instead of everything).
    public func narrowed(_ identity: String, prefix: String) -> [String] {
        guard let grant = grants[identity] else { return [] }
        if mayRead(identity, prefix: prefix) { return [prefix] }
        return grant.read.filter { $0.hasPrefix(prefix) }
    }

    static let inboxRoot = "_INBOX."

    /// Where `identity`'s connections get their replies: `_INBOX.<tag>.` with a tag derived
    /// from the identity alone, so the proxy can tell whose inbox a subscription is for.
    public static func inboxPrefix(of identity: String) -> String {
        let digest = SHA256.hash(data: Array(identity.utf8))
        return inboxRoot + digest.prefix(8).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }.joined() + "."
    }
}
