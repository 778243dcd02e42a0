import NATSProtocol
import NIOCore

/// Decodes what the gateway sends and hands it to `ClientState`.
final class ClientHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the decoder is used on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    private var decoder = ServerDecoder()
    private let state: ClientState

    init(state: ClientState) { self.state = state }

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
                case .info, .ok: break
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
