import BusCore
import Foundation
import Logging
import Metrics
import NATSProtocol
import NIOCore
import Synchronization

/// What every connection shares: the partner directory, the subscription table, the live
/// connections, and the bus. Decides authentication, permissions and releasability.
final class GatewayCore: Sendable {
    let configuration: GatewayConfiguration
    let directory: PartnerDirectory
    let table = SubscriptionTable()
    private let connections = Mutex<[UInt64: PartnerConnection]>([:])
    private let nextID = Atomic<UInt64>(1)
    private let busState = Mutex<BusConnection?>(nil)
    private let failures = Mutex<[String: (count: Int, last: ContinuousClock.Instant)]>([:])
    private let liveServices = Mutex<[String: ContinuousClock.Instant]>([:])
    let metrics = GatewayMetrics()
    var logger: Logger { configuration.logger }

    /// A partner's command or query waiting for a service's answer.
    struct PartnerRequest: Sendable {
        let connection: PartnerConnection
        let command: Envelope
        let replySubject: String
    }

    init(configuration: GatewayConfiguration, directory: PartnerDirectory) {
        self.configuration = configuration
        self.directory = directory
        directory.onChange { [weak self] code in self?.partnerChanged(code) }
    }

    var bus: BusConnection? { busState.withLock { $0 } }
    func attach(_ bus: BusConnection) { busState.withLock { $0 = bus } }

    // MARK: Connections

    func register(_ channel: any NIOCoreChannel) -> PartnerConnection {
        let connection = PartnerConnection(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, channel: channel,
                                           maxPending: configuration.maxPending)
        connections.withLock { $0[connection.id] = connection }
        metrics.connections.increment()
        return connection
    }

    func unregister(_ connection: PartnerConnection) {
        connections.withLock { $0[connection.id] = nil }
        metrics.connections.decrement()
        for prefix in table.removeAll(connection: connection.id) { bus?.unsubscribe(prefix) }
    }

    func closeAll() {
        for connection in connections.withLock({ Array($0.values) }) { connection.close(errText: nil) }
    }

    // MARK: Authentication

    /// Checks CONNECT's credentials; logs and counts a failure without echoing the secret.
    func authenticate(_ connection: PartnerConnection, _ options: ConnectOptions) -> Bool {
        var identity: PartnerDirectory.Identity?
        if let token = options.authToken {
            identity = directory.authenticate(token: token)
        } else if let user = options.user, let pass = options.pass {
            identity = directory.authenticate(user: user, password: pass)
        }
        guard let identity, let entry = directory.entry(identity.code) else {
            metrics.authFailures.increment()
            failures.withLock { failures in
                let previous = failures[connection.remoteAddress]?.count ?? 0
                failures[connection.remoteAddress] = (previous + 1, .now)
            }
            logger.notice("partner authentication failed", metadata: [
                "gateway.remote": "\(connection.remoteAddress)",
                "gateway.method": "\(options.authToken != nil ? "token" : options.user != nil ? "user \(options.user!)" : "none")",
            ])
            return false
        }
        failures.withLock { $0[connection.remoteAddress] = nil }
        connection.authenticated(.init(identity: identity, credentialHash: entry.credentials[identity.user],
                                       clearance: entry.clearance, options: options))
        logger.info("partner connected", metadata: ["gateway.partner": "\(identity.code)", "gateway.remote": "\(connection.remoteAddress)",
                                                    "gateway.client": "\(options.name ?? "-") \(options.lang ?? "") \(options.version ?? "")"])
        return true
    }

    /// How long to hold back the answer to a failed authentication from this address: repeated
    /// failures are slowed down (250 ms more each, at most 5 s).
    func failureDelay(for address: String) -> Duration {
        let count = failures.withLock { failures -> Int in
            guard let entry = failures[address] else { return 0 }
            return ContinuousClock.now - entry.last > .seconds(60) ? 0 : entry.count
        }
        return .milliseconds(min(max(count - 1, 0) * 250, 5_000))
    }

    /// Re-checks live connections when the registry changed a partner.
    private func partnerChanged(_ code: String) {
        let affected = connections.withLock { $0.values.filter { $0.session?.identity.code == code } }
        guard !affected.isEmpty else { return }
        let entry = directory.entry(code)
        for connection in affected {
            guard let session = connection.session else { continue }
            guard directory.stillValid(session.identity, credentialHash: session.credentialHash) else {
                logger.info("partner cut off after a registry change", metadata: ["gateway.partner": "\(code)"])
                connection.close(errText: "Authorization Violation")
                continue
            }
            connection.forgetDecisions()
            if let entry {
                table.updateClearance(partner: code, to: entry.clearance)
                for subscription in table.subscriptions(of: connection.id) where !mayReceive(subscription.subject, entry) {
                    if let prefix = table.remove(connection: connection.id, sid: subscription.sid) { bus?.unsubscribe(prefix) }
                    _ = connection.write(ServerEncoder.error("Permissions Violation for Subscription to \"\(subscription.subject)\""))
                }
            }
        }
    }

    // MARK: Subscribe

    /// Adds a subscription; returns the `-ERR` text when refused (the connection stays open).
    func subscribe(_ connection: PartnerConnection, subject: String, queue: String?, sid: String) -> String? {
        guard let session = connection.session, let entry = directory.entry(session.identity.code) else { return "Authorization Violation" }
        guard Subject.isValid(subject, wildcards: true), queue.map({ Subject.isValid($0, wildcards: false) }) ?? true else {
            return "Invalid Subject"
        }
        guard mayReceive(subject, entry) else {
            metrics.permissionViolations.increment()
            return "Permissions Violation for Subscription to \"\(subject)\""
        }
        let subscription = SubscriptionTable.Subscription(connection: connection.id, sid: sid, subject: subject, queue: queue,
                                                          partner: entry.code, clearance: entry.clearance,
                                                          noEcho: session.options.echo == false)
        if let prefix = table.add(subscription) { bus?.subscribe(prefix) }
        return nil
    }

    /// `UNSUB <sid> [max]`: at once, or after `max` more messages. (nats-server counts from the
    /// SUB; clients send the UNSUB right after it, so the two agree, and the hot path stays lock-free.)
    func unsubscribe(_ connection: PartnerConnection, sid: String, max: Int?) {
        guard let max else {
            if let prefix = table.remove(connection: connection.id, sid: sid) { bus?.unsubscribe(prefix) }
            return
        }
        if case .some(.some(let prefix)) = table.limit(connection: connection.id, sid: sid, remaining: max) {
            bus?.unsubscribe(prefix)
        }
    }

    /// Partners may always receive on their own inboxes: replies reach only the connection that asked.
    private func mayReceive(_ subject: String, _ entry: PartnerDirectory.Entry) -> Bool {
        subject.hasPrefix(SubscriptionTable.inboxPrefix) || entry.subscribe.contains { Subject.isSubset(subject, of: $0) }
    }

    // MARK: Publish

    /// A partner's PUB or HPUB: checked, turned into an envelope and sent onto the bus; a command
    /// or query with a reply subject becomes a request. Returns the `-ERR` text when refused.
    func publish(_ connection: PartnerConnection, subject: String, replyTo: String?, headers: [UInt8]?, payload: [UInt8]) -> String? {
        guard let session = connection.session, let entry = directory.entry(session.identity.code) else { return "Authorization Violation" }
        let allowed = connection.mayPublish(subject) {
            Subject.isValid(subject, wildcards: false) && entry.publish.contains { Subject.matches(subject, pattern: $0) }
        }
        guard allowed else {
            guard Subject.isValid(subject, wildcards: false) else { return "Invalid Publish Subject" }
            metrics.permissionViolations.increment()
            return "Permissions Violation for Publish to \"\(subject)\""
        }
        let envelope: Envelope
        switch PartnerEnvelope.make(subject: subject, headers: headers, payload: payload, partner: entry, catalog: configuration.catalog) {
        case .success(let made): envelope = made
        case .failure(let error):
            metrics.invalidMessages.increment()
            logger.info("partner message refused", metadata: ["gateway.partner": "\(entry.code)", "gateway.subject": "\(subject)",
                                                             "gateway.reason": "\(error.reason)"])
            if let replyTo {
                deliverReply(EnvelopeCodec.encode(PartnerEnvelope.rejection(error, for: subject, partner: entry.code)),
                             to: connection, subject: replyTo)
            }
            return replyTo == nil ? "Invalid Message: \(error.reason)" : nil
        }
        if let replyTo, subject.hasPrefix("cmd.") || subject.hasPrefix("query.") {
            forward(PartnerRequest(connection: connection, command: envelope, replySubject: replyTo))
        } else {
            if session.options.echo == false { connection.notePublished(envelope.id) }
            bus?.publish(envelope)
        }
        metrics.partnerMessagesIn.increment()
        return nil
    }

    // MARK: Requests

    /// Sends a partner's command to its service; the answer goes straight from the bus thread to
    /// the partner's connection (no task hops), or "no responders" when no service serves it.
    private func forward(_ request: PartnerRequest) {
        guard let bus else { return }
        let service = request.command.type.split(separator: ".").dropFirst().first.map(String.init) ?? ""
        let wantsStatus = request.connection.session?.options.headers == true && request.connection.session?.options.noResponders == true
        if wantsStatus && !isLive(service) {
            sendNoResponders(to: request)
            return
        }
        let inbox = bus.request(request.command) { [weak self] answer in
            self?.deliverReply(answer.payload, to: request.connection, subject: request.replySubject)
        }
        let timeout = TimeAmount.nanoseconds(configuration.requestTimeout.nanoseconds)
        request.connection.channel.eventLoop.scheduleTask(in: timeout) { [weak self] in
            guard let self, bus.cancelRequest(inbox) else { return }
            logger.info("partner request got no answer", metadata: ["gateway.type": "\(request.command.type)"])
            if wantsStatus { sendNoResponders(to: request) }
        }
    }

    private func sendNoResponders(to request: PartnerRequest) {
        guard let sid = table.subscriptions(of: request.connection.id).first(where: {
            Subject.matches(request.replySubject, pattern: $0.subject)
        })?.sid else { return }
        var bytes: [UInt8] = []
        ServerEncoder.headerMessage(into: &bytes, subject: request.replySubject, sid: sid, replyTo: nil,
                                    headers: ServerEncoder.headers(status: "503"), payload: [])
        _ = request.connection.write(bytes)
    }

    /// Writes an encoded answer to the connection that asked, if its label lets it go there.
    @discardableResult
    func deliverReply(_ reply: [UInt8], to connection: PartnerConnection, subject: String) -> Bool {
        guard let session = connection.session, let label = EnvelopeCodec.label(of: reply),
              Releasability.allows(classification: label.classification, releasableTo: label.releasableTo,
                                   partner: session.identity.code, clearance: session.clearance) else {
            metrics.withheld.increment()
            return false
        }
        guard let sid = table.subscriptions(of: connection.id).first(where: { Subject.matches(subject, pattern: $0.subject) })?.sid else {
            return false
        }
        var bytes: [UInt8] = []
        ServerEncoder.message(into: &bytes, subject: subject, sid: sid, replyTo: nil, payload: reply)
        return write(bytes, to: connection)
    }

    // MARK: Delivery from the bus

    /// Routes a burst of bus messages to partners, one write per connection.
    func deliver(_ burst: [BusMessage]) {
        var outgoing: [UInt64: [UInt8]] = [:]
        for message in burst {
            if message.topic == Heartbeat.type { noteHeartbeat(message) }
            var targets = Delivery.targets(for: message, in: table)
            if targets.contains(where: \.noEcho) { targets = withoutEcho(targets, message) }
            for subscription in targets {
                ServerEncoder.message(into: &outgoing[subscription.connection, default: []], subject: message.topic,
                                      sid: subscription.sid, replyTo: nil, payload: message.payload)
                metrics.delivered.increment()
                if let prefix = table.delivered(subscription) { bus?.unsubscribe(prefix) }
            }
        }
        guard !outgoing.isEmpty else { return }
        let targets = connections.withLock { connections in outgoing.keys.compactMap { connections[$0] } }
        for connection in targets { _ = write(outgoing[connection.id]!, to: connection) }
    }

    /// Drops the subscriptions of `echo: false` connections that published this very message.
    private func withoutEcho(_ targets: [SubscriptionTable.Subscription], _ message: BusMessage) -> [SubscriptionTable.Subscription] {
        guard let id = EnvelopeCodec.id(of: message.payload) else { return targets }
        let senders = connections.withLock { connections in
            Set(targets.filter(\.noEcho).compactMap { connections[$0.connection] }.filter { $0.didPublish(id) }.map(\.id))
        }
        return targets.filter { !senders.contains($0.connection) }
    }

    private func write(_ bytes: [UInt8], to connection: PartnerConnection) -> Bool {
        if connection.write(bytes) { return true }
        slowConsumer(connection)
        return false
    }

    private func slowConsumer(_ connection: PartnerConnection) {
        let partner = connection.session?.identity.code ?? "?"
        metrics.slowConsumers.increment()
        logger.warning("slow consumer cut off", metadata: ["gateway.partner": "\(partner)", "gateway.remote": "\(connection.remoteAddress)"])
        connection.close(errText: nil)
        var event = Envelope(id: UUID().uuidString.lowercased(), source: "concord/gateway", type: "gateway.consumer.slow",
                             time: Timestamp.rfc3339(Date()), dataVersion: 1, classification: Classification.restricted.rawValue)
        try? event.setData(["partner": partner, "remote": connection.remoteAddress, "pendingLimit": String(configuration.maxPending)])
        bus?.publish(event)
    }

    private func noteHeartbeat(_ message: BusMessage) {
        guard let beat = try? EnvelopeCodec.decode(message.payload).decodeData(Heartbeat.self) else { return }
        let service = beat.source.split(separator: "/").last.map(String.init) ?? beat.source
        liveServices.withLock { $0[service] = .now }
    }

    private func isLive(_ service: String) -> Bool {
        liveServices.withLock { $0[service].map { ContinuousClock.now - $0 < configuration.serviceTimeout } ?? false }
    }
}

/// NIO's `Channel`, named so the core does not depend on a NIO module by name everywhere.
typealias NIOCoreChannel = Channel
