import BusCore
import Contracts
@testable import Gateway
import NATSProtocol
import NIOCore
import NIOEmbedded
import Testing

/// The NIO side of a partner connection, driven on an `EmbeddedChannel`: bytes in, the bytes a
/// stock client would read out, and whether the connection is closed.
@Suite("Partner connection handler")
struct PartnerChannelHandlerTests {
    /// A gateway core whose directory knows WFP (token "test") from the registry contract's
    /// recorded examples, with the permissions they grant.
    static func core(_ configure: (inout GatewayConfiguration) -> Void = { _ in }) throws -> GatewayCore {
        var configuration = GatewayConfiguration(endpoints: .inProcess("handler-test"), catalog: MessageCatalog())
        configuration.limits = .init(maxControlLine: 1_024, maxPayload: 64)
        configure(&configuration)
        let directory = PartnerDirectory()
        for type in [RegistryContract.partnerRegistered, RegistryContract.credentialIssued, RegistryContract.permissionsGranted] {
            let example = try #require(type.examples[1])
            try RegistryFollower.apply(Envelope(id: "e", source: RegistryContract.source, type: type.name, dataVersion: 1,
                                                data: Array(example.utf8)), to: directory)
        }
        return GatewayCore(configuration: configuration, directory: directory)
    }

    /// A connected channel and the INFO line it sent first.
    static func connected(_ core: GatewayCore) throws -> (EmbeddedChannel, String) {
        let channel = EmbeddedChannel(handler: PartnerChannelHandler(core: core))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
        return (channel, try Self.output(channel))
    }

    /// Everything written to the partner so far, as text.
    static func output(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    static func send(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    @Test("a connection is greeted with INFO: the server's limits, a nonce, and that authentication is required")
    func greeting() throws {
        let (channel, info) = try Self.connected(try Self.core())
        #expect(info.hasPrefix("INFO {") && info.hasSuffix("}\r\n"))
        #expect(info.contains(#""max_payload":64"#) && info.contains(#""nonce":""#) && info.contains(#""headers":true"#), "\(info)")
        _ = try? channel.finish()
    }

    @Test("a partner signs in with its token and gets PONG; a wrong token gets 'Authorization Violation' and the connection closes")
    func signIn() throws {
        let core = try Self.core()
        let (channel, _) = try Self.connected(core)
        try Self.send(channel, "CONNECT {\"verbose\":false,\"auth_token\":\"test\",\"headers\":true}\r\nPING\r\n")
        #expect(try Self.output(channel) == "PONG\r\n")
        #expect(channel.isActive)
        _ = try? channel.finish()

        let (refused, _) = try Self.connected(core)
        try Self.send(refused, "CONNECT {\"auth_token\":\"wrong\"}\r\nPING\r\n")
        refused.embeddedEventLoop.run()
        #expect(try Self.output(refused) == "-ERR 'Authorization Violation'\r\n")
        #expect(!refused.isActive)
    }

    @Test("anything before CONNECT is an Authorization Violation; silence past the auth timeout is an Authentication Timeout")
    func beforeSignIn() throws {
        let core = try Self.core()
        let (early, _) = try Self.connected(core)
        try Self.send(early, "SUB > 1\r\n")
        early.embeddedEventLoop.run()
        #expect(try Self.output(early) == "-ERR 'Authorization Violation'\r\n")
        #expect(!early.isActive)

        let (silent, _) = try Self.connected(core)
        silent.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(try Self.output(silent) == "-ERR 'Authentication Timeout'\r\n")
        #expect(!silent.isActive)
    }

    @Test("malformed input and an oversized payload get nats-server's error text and close the connection")
    func protocolErrors() throws {
        let core = try Self.core()
        for (input, errText) in [("FOO BAR\r\n", "Unknown Protocol Operation"),
                                 ("PUB a.b 65\r\n" + String(repeating: "x", count: 65) + "\r\n", "Maximum Payload Violation")] {
            let (channel, _) = try Self.connected(core)
            try Self.send(channel, "CONNECT {\"auth_token\":\"test\"}\r\n" + input)
            channel.embeddedEventLoop.run()
            #expect(try Self.output(channel) == "-ERR '\(errText)'\r\n", "\(input.debugDescription)")
            #expect(!channel.isActive)
        }
    }

    @Test("a subscription outside the partner's permissions is refused with nats-server's text, and the connection stays")
    func forbiddenSubscription() throws {
        let (channel, _) = try Self.connected(try Self.core())
        try Self.send(channel, "CONNECT {\"auth_token\":\"test\"}\r\nSUB intelligence.> 1\r\nPING\r\n")
        #expect(try Self.output(channel) == "-ERR 'Permissions Violation for Subscription to \"intelligence.>\"'\r\nPONG\r\n")
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test("connection and subscription limits answer with nats-server's error texts: in all and per partner the connection closes, a subscription over the limit leaves it open")
    func limits() throws {
        let core = try Self.core { $0.maxConnections = 2; $0.maxConnectionsPerPartner = 1; $0.maxSubscriptions = 2 }
        let (first, _) = try Self.connected(core)
        try Self.send(first, "CONNECT {\"auth_token\":\"test\"}\r\nSUB _INBOX.a.* 1\r\nSUB _INBOX.b.* 2\r\nSUB _INBOX.c.* 3\r\nPING\r\n")
        #expect(try Self.output(first) == "-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n")
        #expect(first.isActive)

        let (second, _) = try Self.connected(core)
        try Self.send(second, "CONNECT {\"auth_token\":\"test\"}\r\nPING\r\n")
        second.embeddedEventLoop.run()
        #expect(try Self.output(second) == "-ERR 'maximum account active connections exceeded'\r\n")
        #expect(!second.isActive)

        let (third, _) = try Self.connected(core)
        let (fourth, greeting) = try Self.connected(core)
        #expect(greeting.hasPrefix("INFO {") && greeting.hasSuffix("}\r\n-ERR 'maximum connections exceeded'\r\n"), "\(greeting)")
        fourth.embeddedEventLoop.run()
        #expect(!fourth.isActive)
        _ = try? first.finish()
        _ = try? third.finish()
    }

    @Test("after repeated failed sign-ins an address is refused without its credential being checked, so guessing in parallel gains nothing")
    func throttled() throws {
        let core = try Self.core { $0.authThrottle.blockAfter = 3 }
        for _ in 0..<3 {
            let (guess, _) = try Self.connected(core)
            try Self.send(guess, "CONNECT {\"auth_token\":\"guess\"}\r\n")
            guess.embeddedEventLoop.advanceTime(by: .seconds(6))
            #expect(try Self.output(guess) == "-ERR 'Authorization Violation'\r\n")
        }
        // The right token now fails too, until the window has passed.
        let (right, _) = try Self.connected(core)
        try Self.send(right, "CONNECT {\"auth_token\":\"test\"}\r\nPING\r\n")
        right.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(try Self.output(right) == "-ERR 'Authorization Violation'\r\n")
        #expect(!right.isActive)
    }
}
