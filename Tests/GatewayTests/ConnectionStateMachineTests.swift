@testable import Gateway
import NATSProtocol
import Testing

@Suite("Partner connection state machine")
struct ConnectionStateMachineTests {
    static func connect(verbose: Bool = false) -> ClientOperation {
        var options = ConnectOptions()
        options.verbose = verbose
        options.authToken = "t"
        return .connect(options)
    }

    @Test("nothing but CONNECT before authentication: anything else is an Authorization Violation and closes")
    func authFirst() {
        for operation: ClientOperation in [.ping, .sub(subject: "a", queue: nil, sid: "1"), .pub(subject: "a", replyTo: nil, payload: [])] {
            var machine = ConnectionStateMachine(maxPingsOut: 2)
            #expect(machine.received(operation) == [.close(errText: "Authorization Violation")])
            #expect(machine.received(.ping) == [])
        }
    }

    @Test("CONNECT asks for authentication; success opens the connection, failure closes it")
    func authentication() {
        var machine = ConnectionStateMachine(maxPingsOut: 2)
        guard case .authenticate = machine.received(Self.connect()).first else { Issue.record("no authenticate action"); return }
        #expect(machine.authenticationSucceeded() == [])
        #expect(machine.received(.ping) == [.send(ServerEncoder.pong)])
        var refused = ConnectionStateMachine(maxPingsOut: 2)
        _ = refused.received(Self.connect())
        #expect(refused.authenticationFailed() == [.close(errText: "Authorization Violation")])
    }

    @Test("no CONNECT in time is an Authentication Timeout; after authentication the timer does nothing")
    func authenticationTimeout() {
        var machine = ConnectionStateMachine(maxPingsOut: 2)
        #expect(machine.authenticationTimedOut() == [.close(errText: "Authentication Timeout")])
        var ready = ConnectionStateMachine(maxPingsOut: 2)
        _ = ready.received(Self.connect())
        _ = ready.authenticationSucceeded()
        #expect(ready.authenticationTimedOut() == [])
    }

    @Test("verbose mode acknowledges with +OK; a refusal sends -ERR instead")
    func verbose() {
        var machine = ConnectionStateMachine(maxPingsOut: 2)
        _ = machine.received(Self.connect(verbose: true))
        #expect(machine.authenticationSucceeded() == [.send(ServerEncoder.ok)])
        #expect(machine.checked(nil) == [.send(ServerEncoder.ok)])
        #expect(machine.checked("Invalid Subject") == [.send(ServerEncoder.error("Invalid Subject"))])
    }

    @Test("unanswered server PINGs make a Stale Connection")
    func stale() {
        var machine = ConnectionStateMachine(maxPingsOut: 2)
        _ = machine.received(Self.connect())
        _ = machine.authenticationSucceeded()
        #expect(machine.pingTimerFired() == [.send(ServerEncoder.ping)])
        _ = machine.received(.pong)
        #expect(machine.pingTimerFired() == [.send(ServerEncoder.ping)])
        #expect(machine.pingTimerFired() == [.send(ServerEncoder.ping)])
        #expect(machine.pingTimerFired() == [.close(errText: "Stale Connection")])
    }

    @Test("HPUB without headers negotiated is a protocol error")
    func headersNeeded() {
        var machine = ConnectionStateMachine(maxPingsOut: 2)
        _ = machine.received(Self.connect())
        _ = machine.authenticationSucceeded()
        #expect(machine.received(.hpub(subject: "a", replyTo: nil, headers: [], payload: [])) == [.close(errText: "Unknown Protocol Operation")])
    }
}
