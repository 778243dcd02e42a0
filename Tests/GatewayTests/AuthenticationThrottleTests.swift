@testable import Gateway
import Testing

@Suite("Sign-in throttle")
struct AuthenticationThrottleTests {
    @Test("an address is blocked after its failures, for the window after its last one; others are not")
    func blocks() {
        var limits = AuthenticationThrottle.Limits()
        limits.blockAfter = 5
        let throttle = AuthenticationThrottle(limits: limits)
        let start = ContinuousClock.now
        var delays: [Duration] = []
        for second in 0..<5 {
            #expect(throttle.admits("10.0.0.1", now: start + .seconds(second)))
            delays.append(throttle.failed("10.0.0.1", now: start + .seconds(second)))
        }
        #expect(delays == [.zero, .milliseconds(250), .milliseconds(500), .milliseconds(750), .milliseconds(1_000)])
        #expect(!throttle.admits("10.0.0.1", now: start + .seconds(30)))
        #expect(throttle.admits("10.0.0.2", now: start + .seconds(30)))
        #expect(throttle.admits("10.0.0.1", now: start + .seconds(65)))
    }

    @Test("memory stays bounded however many addresses fail; addresses beyond the bound share one entry")
    func bounded() {
        var limits = AuthenticationThrottle.Limits()
        limits.maxAddresses = 1_000
        limits.blockAfter = 3
        let throttle = AuthenticationThrottle(limits: limits)
        let now = ContinuousClock.now
        for address in 0..<20_000 { _ = throttle.failed("10.1.\(address / 256).\(address % 256)", now: now) }
        #expect(throttle.tracked <= 1_001)
        // The many that overflowed share a blocked entry; the first ones keep their own.
        #expect(!throttle.admits("192.168.9.9", now: now))
        #expect(throttle.admits("10.1.0.0", now: now))
        // Once the window has passed, stale entries make room again.
        _ = throttle.failed("172.16.0.1", now: now + .seconds(61))
        #expect(throttle.admits("172.16.0.1", now: now + .seconds(61)))
        #expect(throttle.tracked <= 1_001)
    }
}
