import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// Authentication against the partner directory, and live changes to it.
extension GatewayCore {

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
