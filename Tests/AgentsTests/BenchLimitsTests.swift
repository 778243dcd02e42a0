@testable import Agents
import BusCore
import Foundation
import Synchronization
import Testing

@Suite("Bench waits that end")
struct BenchLimitsTests {
    @Test("measureRate fails with the counts when arrivals stop, within the stall limit")
    func stall() async throws {
        let arrived = ArrivalCount()
        let limits = BenchLimits(timeout: .seconds(300), stall: .milliseconds(400))
        let started = ContinuousClock.now
        await #expect {
            _ = try await measureRate(total: 100, chunk: 10, window: 20, limits: limits, what: "test", arrivals: arrived) { count in
                // One short of each chunk arrives: the window fills and nothing more comes.
                for _ in 0..<(count - 1) { arrived.add() }
            }
        } throws: { error in
            "\(error)".contains("of 100 arrived")
        }
        // The stall ended it, long before the bench's five-minute limit.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test("measureRate returns a rate when everything arrives; polled arrivals work the same way")
    func completes() async throws {
        let arrived = ArrivalCount()
        let rate = try await measureRate(total: 1_000, chunk: 100, window: 300, limits: BenchLimits(), what: "test", arrivals: arrived) { count in
            for _ in 0..<count { arrived.add() }
        }
        #expect(rate > 0 && arrived.value == 1_000)
        let polled = Counter()
        let second = try await measureRate(total: 500, chunk: 50, window: 100, limits: BenchLimits(), what: "test",
                                           arrivals: PolledArrivals { polled.value.load(ordering: .relaxed) }) { count in
            polled.value.add(count, ordering: .relaxed)
        }
        #expect(second > 0)
    }

    @Test("the bus's receive queue: consume stops at the stall limit, next(timeout:) returns nil in time")
    func queueWaits() async throws {
        let bus = try await BenchTestBus()
        let connection = try await bus.connect()
        let started = ContinuousClock.now
        let finished = try await connection.messages.consume(stall: .milliseconds(300), deadline: .now + .seconds(600)) { _ in true }
        #expect(!finished)
        #expect(await connection.messages.next(timeout: .milliseconds(200)) == nil)
        // Both returned at their stall limits, long before the ten-minute deadline.
        #expect(ContinuousClock.now - started < .seconds(120))
        await connection.close()
        await bus.proxy.stop()
    }

    @Test("--speed reads a positive number or max, and nothing else")
    func speed() {
        #expect(Replayer.Speed(argument: "max") == .max)
        #expect(Replayer.Speed(argument: "1") == .original)
        #expect(Replayer.Speed(argument: "2.5") == .factor(2.5))
        for bad in ["0", "-1", "fast", "inf", "nan", ""] { #expect(Replayer.Speed(argument: bad) == nil, "\(bad)") }
    }

    @Test("a ready report is written whole and read back")
    func readyReport() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ready-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ReadyReport.read(from: path) == nil)
        var report = ReadyReport(part: "up")
        report.bus = .tcp(basePort: 7801)
        report.gatewayPort = 4333
        report.catchUp = ["registry": "tcp://127.0.0.1:40001"]
        try report.write(to: path)
        #expect(ReadyReport.read(from: path) == report)
        #expect(report.json.contains(#""gateway_port":4333"#))
    }
}

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// A proxy on free ports, for the queue waits above.
struct BenchTestBus {
    let context: ZMQContext
    let proxy: BusProxy

    init() async throws {
        context = try ZMQContext()
        proxy = try await BusProxy(BusProxy.Configuration(bind: .anyPort()), context: context)
    }

    func connect() async throws -> BusConnection {
        try await BusConnection.connect(.init(endpoints: proxy.endpoints), context: context)
    }
}
