import NATSProtocol

/// One partner connection's protocol behaviour, as nats-server has it: nothing but CONNECT
/// before authentication, `+OK` in verbose mode, PING/PONG, stale-connection detection.
/// Events in, actions out; the channel handler performs the actions. No I/O, no clocks.
struct ConnectionStateMachine {
    enum Phase: Equatable { case awaitingConnect, authenticating, ready, closed }

    enum Action: Equatable {
        case authenticate(ConnectOptions)
        case subscribe(subject: String, queue: String?, sid: String)
        case unsubscribe(sid: String, max: Int?)
        case publish(subject: String, replyTo: String?, headers: [UInt8]?, payload: [UInt8])
        case send([UInt8])
        /// Close, after sending `-ERR '<text>'` when there is one.
        case close(errText: String?)
    }

    private(set) var phase = Phase.awaitingConnect
    private(set) var options = ConnectOptions()
    private var pingsOutstanding = 0
    let maxPingsOut: Int

    init(maxPingsOut: Int) { self.maxPingsOut = maxPingsOut }

    private var ok: [Action] { options.verbose == true ? [.send(ServerEncoder.ok)] : [] }

    mutating func received(_ operation: ClientOperation) -> [Action] {
        switch phase {
        case .closed:
            return []
        case .awaitingConnect:
            guard case .connect(let options) = operation else { return close("Authorization Violation") }
            self.options = options
            phase = .authenticating
            return [.authenticate(options)]
        case .authenticating:
            // Clients pipeline a PING behind CONNECT; authentication is decided before it is read.
            return close("Authorization Violation")
        case .ready:
            switch operation {
            case .connect: return ok
            case .ping: return [.send(ServerEncoder.pong)]
            case .pong:
                pingsOutstanding = 0
                return []
            case .sub(let subject, let queue, let sid): return [.subscribe(subject: subject, queue: queue, sid: sid)]
            case .unsub(let sid, let max): return [.unsubscribe(sid: sid, max: max)] + ok
            case .pub(let subject, let replyTo, let payload):
                return [.publish(subject: subject, replyTo: replyTo, headers: nil, payload: payload)]
            case .hpub(let subject, let replyTo, let headers, let payload):
                guard options.headers == true else { return close("Unknown Protocol Operation") }
                return [.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload)]
            }
        }
    }

    /// The outcome of a SUB or PUB the gateway checked: `-ERR` when refused, else `+OK` in verbose mode.
    func checked(_ errText: String?) -> [Action] {
        if let errText { return [.send(ServerEncoder.error(errText))] }
        return ok
    }

    mutating func authenticationSucceeded() -> [Action] {
        guard phase == .authenticating else { return [] }
        phase = .ready
        return ok
    }

    mutating func authenticationFailed(_ errText: String = "Authorization Violation") -> [Action] { close(errText) }

    mutating func authenticationTimedOut() -> [Action] {
        phase == .awaitingConnect || phase == .authenticating ? close("Authentication Timeout") : []
    }

    mutating func pingTimerFired() -> [Action] {
        guard phase == .ready else { return [] }
        if pingsOutstanding >= maxPingsOut { return close("Stale Connection") }
        pingsOutstanding += 1
        return [.send(ServerEncoder.ping)]
    }

    mutating func protocolError(_ error: NATSProtocolError) -> [Action] { close(error.errText) }

    /// The partner lost its right to be connected (suspended, credential revoked).
    mutating func revoked() -> [Action] { close("Authorization Violation") }

    private mutating func close(_ errText: String?) -> [Action] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.close(errText: errText)]
    }
}
