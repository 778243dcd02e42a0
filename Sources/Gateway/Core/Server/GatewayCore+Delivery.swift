import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Bus messages to partners: routing, releasability, one write per connection, slow consumers.
extension GatewayCore {

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
                metrics.delivered(to: subscription.partner).increment()
                if let prefix = table.delivered(subscription) { bus?.unsubscribe(prefix) }
            }
        }
        guard !outgoing.isEmpty else { return }
        let targets = connections.withLock { connections in outgoing.keys.compactMap { connections[$0] } }
        for connection in targets { _ = write(outgoing[connection.id]!, to: connection) }
    }

    /// Drops the subscriptions of `echo: false` connections that published this very message.
    func withoutEcho(_ targets: [SubscriptionTable.Subscription], _ message: BusMessage) -> [SubscriptionTable.Subscription] {
        guard let id = EnvelopeCodec.id(of: message.payload) else { return targets }
        let senders = connections.withLock { connections in
            Set(targets.filter(\.noEcho).compactMap { connections[$0.connection] }.filter { $0.didPublish(id) }.map(\.id))
        }
        return targets.filter { !senders.contains($0.connection) }
    }

    func write(_ bytes: [UInt8], to connection: PartnerConnection) -> Bool {
        if connection.write(bytes) { return true }
        slowConsumer(connection)
        return false
    }

    func slowConsumer(_ connection: PartnerConnection) {
        let partner = connection.session?.identity.code ?? "?"
        metrics.slowConsumers.increment()
        logger.warning("slow consumer cut off", metadata: ["gateway.partner": "\(partner)", "gateway.remote": "\(connection.remoteAddress)"])
        connection.close(errText: nil)
        var event = Envelope(id: RandomID.uuid(), source: "concord/gateway", type: "gateway.consumer.slow",
                             time: Timestamp.rfc3339(Date()), dataVersion: 1, classification: Classification.restricted.rawValue)
        try? event.setData(["partner": partner, "remote": connection.remoteAddress, "pendingLimit": String(configuration.maxPending)])
        bus?.publish(event)
    }

    func noteHeartbeat(_ message: BusMessage) {
        guard let envelope = try? EnvelopeCodec.decode(message.payload), let beat = try? envelope.decodeData(Heartbeat.self),
              beat.source == envelope.source else { return }
        feeds?.bodies.noteEndpoint(source: beat.source, endpoint: beat.catchup)
        let service = beat.source.split(separator: "/").last.map(String.init) ?? beat.source
        liveServices.withLock { $0[service] = .now }
    }

    func isLive(_ service: String) -> Bool {
        liveServices.withLock { $0[service].map { ContinuousClock.now - $0 < configuration.serviceTimeout } ?? false }
    }
}
