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
    let connections = Mutex<[UInt64: PartnerConnection]>([:])
    let nextID = Atomic<UInt64>(1)
    let busState = Mutex<BusConnection?>(nil)
    let throttle: AuthenticationThrottle
    let liveServices = Mutex<[String: ContinuousClock.Instant]>([:])
    let metrics = GatewayMetrics()
    let feedState = Mutex<FeedEngine?>(nil)
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
        throttle = AuthenticationThrottle(limits: configuration.authThrottle)
        directory.onChange { [weak self] code in self?.partnerChanged(code) }
    }

    var bus: BusConnection? { busState.withLock { $0 } }
    func attach(_ bus: BusConnection) { busState.withLock { $0 = bus } }

    // MARK: Connections

    /// Whether one more connection is within `maxConnections` (counting `connection` itself).
    func hasRoom(for connection: PartnerConnection) -> Bool {
        connections.withLock { $0.count } <= configuration.maxConnections
    }

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
        feeds?.submit(.closed(connection: connection.id))
    }

    func closeAll() {
        for connection in connections.withLock({ Array($0.values) }) { connection.close(errText: nil) }
    }
}

/// NIO's `Channel`, named so the core does not depend on a NIO module by name everywhere.
typealias NIOCoreChannel = Channel
