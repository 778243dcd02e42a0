extension BusRights {
    /// A journaled service as the rights table sees it: its name and the sources it follows.
    public struct ServiceRole: Sendable {
        public var name: String
        public var follows: [Consumer.Follow]

        public init(name: String, follows: [Consumer.Follow]) {
            self.name = name
            self.follows = follows
        }

        var source: String { "concord/\(name)" }
    }

    /// The identities of a mission's parts besides its services and operators.
    public static let gatewayIdentity = "concord/gateway"
    public static let recorderIdentity = "concord/recorder"
    public static let consoleIdentity = "concord/console"

    /// The identity of operator `name`.
    public static func operatorIdentity(_ name: String) -> String { "operator/\(name)" }

    /// The rights of a mission's parts, by role:
    /// - a service publishes its own events, heartbeats and answers as `concord/<service>`, and
    ///   reads its commands and queries, the heartbeats and the events of what it follows;
    /// - the gateway publishes commands, queries and partner messages as `partner/<code>` and
    ///   its own `gateway.` events as itself, and reads every service's events, partner
    ///   messages and heartbeats; it may fetch catch-up from every service;
    /// - an operator publishes commands and queries as `operator/<name>`, reads events and
    ///   heartbeats, and may record and replay;
    /// - the recorder taps the capture socket and reads heartbeats (its health check);
    /// - the console reads heartbeats only (its operator page); partners' browsers reach the
    ///   mission through the gateway, never through the console's key;
    /// - the bus itself reads heartbeats (its health check).
    /// Everyone reads its own inboxes and nobody else's; nobody reads everything.
    public static func mission(services: [ServiceRole], operators: [String]) -> BusRights {
        var grants: [String: Grant] = [:]
        let heartbeat = Heartbeat.type
        let events = services.map { "\($0.name)." }
        for service in services {
            let source = service.source
            grants[source] = Grant(
                publish: [TopicGrant("\(service.name).", sources: [source]), TopicGrant(heartbeat, sources: [source]),
                          TopicGrant(inboxRoot, sources: [source])],
                read: ["cmd.\(service.name).", "query.\(service.name).", heartbeat] + service.follows.flatMap(\.topicPrefixes),
                follows: Set(service.follows.map(\.source)))
        }
        grants[gatewayIdentity] = Grant(
            publish: ["cmd.", "query.", "partner."].map { TopicGrant($0, sourcePrefix: "partner/") }
                + [TopicGrant("gateway.", sources: [gatewayIdentity]), TopicGrant(inboxRoot, sources: [gatewayIdentity], sourcePrefix: "partner/")],
            read: events + ["partner.", heartbeat],
            follows: Set(services.map(\.source)))
        for name in operators {
            let identity = operatorIdentity(name)
            grants[identity] = Grant(
                publish: ["cmd.", "query.", inboxRoot].map { TopicGrant($0, sources: [identity]) },
                read: events + ["gateway.", heartbeat], capture: true, replay: true)
        }
        grants[recorderIdentity] = Grant(read: [heartbeat], capture: true)
        grants[consoleIdentity] = Grant(read: [heartbeat])
        grants[BusSecurity.busIdentity] = Grant(read: [heartbeat])
        return BusRights(grants)
    }
}
