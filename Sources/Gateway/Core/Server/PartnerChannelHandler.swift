import BusCore
import Foundation
import NATSProtocol
import NIOCore

/// The NIO side of one partner connection: bytes in through the decoder, operations through
/// the state machine, actions performed against the gateway core. Runs on the channel's event loop.
final class PartnerChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every stored var is touched on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: GatewayCore
    private var decoder: ClientDecoder
    private var machine: ConnectionStateMachine
    private var connection: PartnerConnection?
    private var timers: [Scheduled<Void>] = []
    private var pingTask: RepeatedTask?

    init(core: GatewayCore) {
        self.core = core
        decoder = ClientDecoder(limits: core.configuration.limits)
        machine = ConnectionStateMachine(maxPingsOut: core.configuration.maxPingsOut)
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = core.register(context.channel)
        self.connection = connection
        let configuration = core.configuration
        let info = ServerInfo(
            serverID: "CONCORD-\(ProcessInfo.processInfo.processIdentifier)", serverName: configuration.serverName,
            version: GatewayConfiguration.version, host: configuration.host, port: configuration.port,
            maxPayload: configuration.limits.maxPayload, tlsRequired: configuration.tls != nil,
            nonce: connection.nonce,
            clientID: connection.id, clientIP: context.channel.remoteAddress?.ipAddress)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: ServerEncoder.info(info))), promise: nil)
        // As nats-server: INFO, then the error, then the close.
        guard core.hasRoom(for: connection) else {
            core.metrics.connectionsRefused.increment()
            core.logger.notice("partner connection refused: the gateway is full", metadata: [
                "gateway.remote": "\(connection.remoteAddress)", "gateway.max_connections": "\(configuration.maxConnections)"])
            connection.close(errText: "maximum connections exceeded")
            context.fireChannelActive()
            return
        }
        let loop = context.eventLoop
        // Timers fire on this channel's event loop, where the context may be used.
        let bound = NIOLoopBound(context, eventLoop: loop)
        timers.append(loop.scheduleTask(in: .nanoseconds(configuration.authTimeout.nanoseconds)) { [self] in
            perform(machine.authenticationTimedOut(), context: bound.value)
        })
        let interval = TimeAmount.nanoseconds(configuration.pingInterval.nanoseconds)
        pingTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            perform(machine.pingTimerFired(), context: bound.value)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timers.forEach { $0.cancel() }
        pingTask?.cancel()
        if let connection { core.unregister(connection) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        decoder.append(buffer.readableBytesView)
        do {
            while machine.phase != .closed, let operation = try decoder.next() {
                perform(machine.received(operation), context: context)
            }
        } catch {
            core.metrics.protocolErrors.increment()
            core.logger.info("partner protocol error", metadata: ["gateway.error": "\(error.detail)",
                                                                  "gateway.remote": "\(connection?.remoteAddress ?? "-")"])
            perform(machine.protocolError(error), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.logger.debug("partner connection error", metadata: ["gateway.error": "\(error)"])
        context.close(promise: nil)
    }

    private func perform(_ actions: [ConnectionStateMachine.Action], context: ChannelHandlerContext) {
        guard let connection else { return }
        for action in actions {
            switch action {
            case .send(let bytes):
                _ = connection.write(bytes)
            case .close(let errText):
                connection.close(errText: errText)
            case .authenticate(let options):
                switch core.authenticate(connection, options) {
                case .accepted:
                    perform(machine.authenticationSucceeded(), context: context)
                case .refused(let errText, let delay):
                    // Repeated failures from one address wait longer for their answer.
                    let failed = machine.authenticationFailed(errText)
                    if delay == .zero {
                        perform(failed, context: context)
                    } else {
                        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                        timers.append(context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { [self] in
                            perform(failed, context: bound.value)
                        })
                    }
                }
            case .subscribe(let subject, let queue, let sid):
                perform(machine.checked(core.subscribe(connection, subject: subject, queue: queue, sid: sid)), context: context)
            case .unsubscribe(let sid, let max):
                core.unsubscribe(connection, sid: sid, max: max)
            case .publish(let subject, let replyTo, let headers, let payload):
                perform(machine.checked(core.publish(connection, subject: subject, replyTo: replyTo, headers: headers, payload: payload)),
                        context: context)
            }
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
