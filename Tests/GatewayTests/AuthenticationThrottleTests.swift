@testable import Gateway
import Testing

@Suite("Sign-in throttle")
struct AuthenticationThrottleTests {
    @Test("an address is blocked after its failures until they have drained; others are not; answers are held back a little more each time")
    func blocks() {
        var limits = AuthenticationThrottle.Limits()
        limits.blockAfter = 5
        let throttle = AuthenticationThrottle(limits: limits)
        let start = ContinuousClock.now
        var delays: [Duration] = []
        for _ in 0..<5 {
            #expect(throttle.admits("10.0.0.1", now: start))
            delays.append(throttle.failed("10.0.0.1", now: start))
        }
        #expect(delays == [.zero, .zero, .zero, .milliseconds(250), .milliseconds(500)])
        #expect(!throttle.admits("10.0.0.1", now: start + .seconds(5)))
        #expect(throttle.admits("10.0.0.2", now: start + .seconds(5)))
        // Five per minute drain: one failure's worth every 12 s.
        #expect(throttle.admits("10.0.0.1", now: start + .seconds(13)))
    }

    @Test("failures spread out drain away and never block")
    func spreadOut() {
        var limits = AuthenticationThrottle.Limits()
        limits.blockAfter = 5
        let throttle = AuthenticationThrottle(limits: limits)
        let start = ContinuousClock.now
        for minute in 0..<30 {
            _ = throttle.failed("10.0.0.1", now: start + .seconds(minute * 15))
            #expect(throttle.admits("10.0.0.1", now: start + .seconds(minute * 15)))
        }
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
        // Once the failures have drained, their entries make room again.
        _ = throttle.failed("172.16.0.1", now: now + .seconds(61))
        #expect(throttle.admits("172.16.0.1", now: now + .seconds(61)))
        #expect(throttle.tracked <= 1_001)
    }
}
