import NATSProtocol
import NIOCore
import NIOSSL

/// Decodes what the gateway sends and hands it to `ClientState`.
final class ClientHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the decoder is used on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    private var decoder = ServerDecoder()
    private let state: ClientState
    /// TLS to start once the plaintext INFO is read, as NATS does it.
    private var pendingTLS: (context: NIOSSLContext, serverHostname: String?)?

    init(state: ClientState, tls: (context: NIOSSLContext, serverHostname: String?)? = nil) {
        self.state = state
        pendingTLS = tls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decoder.append(unwrapInboundIn(data).readableBytesView)
        do {
            while let operation = try decoder.next() {
                switch operation {
                case .ping: context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: ServerEncoder.pong)), promise: nil)
                case .pong: state.pong()
                case .err(let text): state.error(text)
                case .msg(let subject, let sid, let replyTo, let headers, let payload):
                    state.deliver(sid, .init(subject: subject, replyTo: replyTo, headers: headers, payload: payload))
                case .info:
                    if let tls = pendingTLS {
                        pendingTLS = nil
                        let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                        try context.pipeline.syncOperations.addHandler(handler, position: .first)
                    }
                    state.infoReceived()
                case .ok: break
                }
            }
        } catch {
            state.error("unreadable data from the gateway: \(error)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.finishAll()
        context.fireChannelInactive()
    }
}
