@testable import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// TLS starts right after the plaintext INFO, as nats-server does it, and never falls back.
@Suite("TLS after INFO")
struct TLSAfterInfoHandlerTests {
    struct CannotAddTLS: Error {}

    static func write(_ text: String, on channel: EmbeddedChannel) throws {
        try channel.writeOutbound(ByteBuffer(string: text))
    }

    @Test("when TLS cannot be set up the connection is closed after INFO, and nothing more goes out in clear")
    func failureCloses() throws {
        let channel = EmbeddedChannel(handler: TLSAfterInfoHandler(install: { _ in throw CannotAddTLS() }))
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 4222)).wait()
        try Self.write("INFO {}\r\n", on: channel)
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "INFO {}\r\n")
        #expect(!channel.isActive, "the connection must be closed")
        // Anything written after INFO — here a message a partner would receive — never goes out.
        let after = channel.eventLoop.makePromise(of: Void.self)
        channel.pipeline.write(NIOAny(ByteBuffer(string: "MSG secret 1 6\r\nsecret\r\n")), promise: after)
        channel.flush()
        #expect(throws: (any Error).self) { try after.futureResult.wait() }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test("when TLS is set up the handler leaves the pipeline and the connection stays open")
    func successInstalls() throws {
        let installed = Box()
        let channel = EmbeddedChannel(handler: TLSAfterInfoHandler(install: { _ in installed.value = true }))
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 4222)).wait()
        try Self.write("INFO {}\r\n", on: channel)
        #expect(installed.value && channel.isActive)
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: TLSAfterInfoHandler.self) }
        _ = try channel.finish()
    }

    final class Box: @unchecked Sendable { var value = false }
}
