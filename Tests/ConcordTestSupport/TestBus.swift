import BusCore
import Foundation
import Synchronization

/// An in-process bus proxy on free loopback ports, for tests.
public final class TestBus: Sendable {
    public let context: ZMQContext
    public let proxy: BusProxy
    /// On a secure bus: the key folder and the rights the proxy enforces.
    public let keys: (folder: String, rights: BusRights)?

    /// A proxy on free loopback ports; `configure` may change its configuration first.
    public init(_ configure: (inout BusProxy.Configuration) -> Void = { _ in }) async throws {
        context = try ZMQContext()
        var configuration = BusProxy.Configuration(bind: .anyPort())
        configure(&configuration)
        proxy = try await BusProxy(configuration, context: context)
        keys = nil
    }

    /// A CURVE-protected proxy with the keys of `folder` (as `concord keys init` writes them) and `rights`.
    public init(keys folder: String, rights: BusRights) async throws {
        context = try ZMQContext()
        var configuration = BusProxy.Configuration(bind: .anyPort())
        configuration.security = try BusSecurity.load(folder: folder, identity: BusSecurity.busIdentity, rights: rights)
        proxy = try await BusProxy(configuration, context: context)
        keys = (folder, rights)
    }

    public var endpoints: BusEndpoints { proxy.endpoints }

    /// A connection to this bus; with `catchUp`, it serves catch-up on a free port. On a secure
    /// bus it connects as `identity`.
    public func connect(catchUp: Bool = false, as identity: String = "operator/admin") async throws -> BusConnection {
        var configuration = BusConnection.Configuration(endpoints: endpoints, catchUpBind: catchUp ? "tcp://127.0.0.1:*" : nil)
        if let keys { configuration.security = try BusSecurity.load(folder: keys.folder, identity: identity, rights: keys.rights) }
        return try await BusConnection.connect(configuration, context: context)
    }

    /// A replayer's link to this bus's replay socket.
    public func replayLink() async throws -> ReplayLink {
        try await ReplayLink.connect(endpoint: endpoints.replay, context: context)
    }

    public func stop() async { await proxy.stop() }
}

/// A fresh folder under the system's temporary directory, removed when the last reference to
/// it goes (so also when a test fails or throws), or earlier by `remove()`.
public final class TemporaryFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("concord-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { remove() }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// For waiting on asynchronous outcomes, never for asserting speed.
public func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A counter shared between test tasks.
public final class Tally: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public func add() { count.add(1, ordering: .relaxed) }
    public var value: Int { count.load(ordering: .relaxed) }
}

/// The latest value a polling closure saw, to report after the polling ends.
public final class Latest<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    public init(_ initial: Value) { state = Mutex(initial) }
    public var value: Value {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
