import BusCore
import ConcordTestSupport
import Foundation
import Testing

@Suite("Bus transport")
struct TransportTests {
    @Test("a request nobody answers fails with a clear timeout error")
    func requestTimeout() async throws {
        let bus = try await TestBus()
        let client = try await bus.connect()
        let command = Envelope(id: "1", source: "test", type: "cmd.nobody.thing.do")
        await #expect {
            try await client.request(command, timeout: .milliseconds(300))
        } throws: { error in
            guard let error = error as? BusError else { return false }
            return error.code == .timeout && error.message.contains("cmd.nobody.thing.do")
        }
        await client.close()
        await bus.stop()
    }

    @Test("a request gets the answer published on its inbox")
    func requestReply() async throws {
        let bus = try await TestBus()
        let server = try await bus.connect()
        let client = try await bus.connect()
        server.subscribe("cmd.echo.")
        try await Task.sleep(for: .milliseconds(100))
        async let reply = client.request(Envelope(id: "q1", source: "test", type: "cmd.echo.text.say"), timeout: .seconds(5))
        // A failure is a missing message, reported after ten seconds, never a hang.
        let message = await server.messages.next(timeout: .seconds(10))
        let command = try EnvelopeCodec.decode(try #require(message, "the command never reached the server").payload)
        server.publish(topic: try #require(command.replyTo), payload: EnvelopeCodec.encode(
            Envelope(id: "r1", source: "echo", type: "echo.text.said", extensions: ["inreplyto": command.id])))
        #expect(try await reply.extensions["inreplyto"] == "q1")
        await client.close()
        await server.close()
        await bus.stop()
    }

    @Test("garbage frames and oversized messages are dropped and counted by the proxy; good traffic still flows")
    func garbageFrames() async throws {
        let bus = try await TestBus()
        let receiver = try await bus.connect()
        receiver.subscribe("good.")
        let rogue = try ZMQSocket(bus.context, .pub)
        try rogue.connect(bus.endpoints.publish)
        let sender = try await bus.connect()
        try await Task.sleep(for: .milliseconds(200))

        try rogue.send([Array("good.one".utf8)])                                      // one frame
        try rogue.send([Array("good.three".utf8), [1], [2]])                          // three frames
        try rogue.send([Array("good.big".utf8), [UInt8](repeating: 7, count: EnvelopeCodec.defaultMaxBytes + 1)])  // oversized
        try rogue.send([[], Array("x".utf8)])                                         // empty topic
        sender.publish(topic: "good.fine", payload: Array("ok".utf8))

        let first = await receiver.messages.next(timeout: .seconds(10))
        #expect(first?.topic == "good.fine")
        #expect(try await eventually { bus.proxy.statistics.dropped == 4 })
        rogue.close()
        await sender.close()
        await receiver.close()
        await bus.stop()
    }

    @Test("closing a connection delivers what was already published")
    func closeFlushes() async throws {
        let bus = try await TestBus()
        let receiver = try await bus.connect()
        receiver.subscribe("flush.")
        let sender = try await bus.connect()
        try await Task.sleep(for: .milliseconds(100))
        for index in 0..<500 { sender.publish(topic: "flush.n", payload: Array("\(index)".utf8)) }
        await sender.close()
        var count = 0
        while count < 500, await receiver.messages.next(timeout: .seconds(10)) != nil { count += 1 }
        #expect(count == 500)
        await receiver.close()
        await bus.stop()
    }
}
