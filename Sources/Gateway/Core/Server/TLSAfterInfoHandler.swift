import NIOCore
import NIOSSL

/// Adds the TLS handler right after the plaintext INFO has been written. If it cannot be added,
/// the connection is closed: it never goes on in plaintext.
final class TLSAfterInfoHandler: ChannelOutboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked: used on its channel's event loop only.
    typealias OutboundIn = ByteBuffer
    private let sslContext: NIOSSLContext

    init(context: NIOSSLContext) { sslContext = context }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        context.flush()
        let ssl = NIOSSLServerHandler(context: sslContext)
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
        do {
            try context.pipeline.syncOperations.addHandler(ssl, position: .first)
        } catch {
            context.close(promise: nil)
        }
    }
}
