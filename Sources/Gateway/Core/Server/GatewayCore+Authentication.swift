import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Authentication against the partner directory, and live changes to it.
extension GatewayCore {

    /// How a CONNECT ends: signed in, or refused with an error text after a delay.
    enum Outcome: Equatable {
        case accepted
        case refused(String, after: Duration)
    }

    /// Checks CONNECT's credentials; logs and counts a failure without echoing the secret. An
    /// address the throttle blocks is refused without its credential being checked.
    func authenticate(_ connection: PartnerConnection, _ options: ConnectOptions) -> Outcome {
        let method = options.nkey.map { "nkey \($0)" } ?? (options.authToken != nil ? "token" : options.user != nil ? "user \(options.user!)" : "none")
        var identity: PartnerDirectory.Identity?
        let admitted = throttle.admits(connection.remoteAddress)
        if !admitted {
            metrics.authThrottled.increment()
        } else if let nkey = options.nkey {
            identity = directory.authenticate(nkey: nkey, signature: options.sig ?? "", nonce: connection.nonce)
        } else if let token = options.authToken {
            identity = directory.authenticate(token: token)
        } else if let user = options.user, let pass = options.pass {
            identity = directory.authenticate(user: user, password: pass)
        }
        if let claimed = identity, configuration.tls?.clientCA != nil,
           ClientCertificate.partner(of: connection.channel) != claimed.code {
            // Mutual TLS: a credential works only with its own partner's certificate.
            identity = nil
        }
        guard let identity, let entry = directory.entry(identity.code) else {
            metrics.authFailures.increment()
            let delay = throttle.failed(connection.remoteAddress)
            logger.notice("partner authentication failed", metadata: [
                "gateway.remote": "\(connection.remoteAddress)", "gateway.method": "\(method)",
                "gateway.throttled": "\(!admitted)",
            ])
            return .refused("Authorization Violation", after: delay)
        }
        // Counted and signed in under one lock: sign-ins of one partner on different event loops
        // at the same moment cannot both take the last place.
        let full: Int? = connections.withLock { all in
            let open = all.values.count { $0.session?.identity.code == identity.code }
            guard open < configuration.maxConnectionsPerPartner else { return open }
            connection.authenticated(.init(identity: identity, credentialHash: entry.credentials[identity.user],
                                           clearance: entry.clearance, options: options))
            return nil
        }
        if let open = full {
            metrics.connectionsRefused.increment()
            logger.notice("partner connection refused: too many open", metadata: [
                "gateway.partner": "\(identity.code)", "gateway.open": "\(open)"])
            return .refused("maximum account active connections exceeded", after: .zero)
        }
        logger.info("partner connected", metadata: ["gateway.partner": "\(identity.code)", "gateway.remote": "\(connection.remoteAddress)",
                                                    "gateway.client": "\(options.name ?? "-") \(options.lang ?? "") \(options.version ?? "")"])
        return .accepted
    }

    /// Re-checks live connections when the registry changed a partner.
    func partnerChanged(_ code: String) {
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
}
