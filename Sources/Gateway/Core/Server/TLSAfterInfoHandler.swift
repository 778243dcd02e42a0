import NIOCore
import NIOSSL

/// Adds the TLS handler right after the plaintext INFO has been written. If it cannot be added,
/// the connection is closed: it never goes on in plaintext.
final class TLSAfterInfoHandler: ChannelOutboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked: used on its channel's event loop only.
    typealias OutboundIn = ByteBuffer
    /// Puts TLS first in the pipeline; throws when it cannot.
    private let install: (ChannelHandlerContext) throws -> Void

    convenience init(context sslContext: NIOSSLContext) {
        self.init { context in
            try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext), position: .first)
        }
    }

    /// Set once TLS could not be added: whatever is written after INFO is dropped, not sent in clear.
    private var failed = false

    /// `install` stands in for adding TLS in tests of the failure path.
    init(install: @escaping (ChannelHandlerContext) throws -> Void) { self.install = install }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
        context.flush()
        do {
            try install(context)
        } catch {
            failed = true
            context.close(promise: nil)
            return
        }
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }
}
