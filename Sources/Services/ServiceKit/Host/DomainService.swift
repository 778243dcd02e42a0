import BusCore
import GRDB

/// Handles one command type inside a write transaction.
public typealias CommandHandler = @Sendable (CommandContext) throws -> CommandResult
/// Answers one query type from a read-only snapshot.
public typealias QueryHandler = @Sendable (QueryContext) throws -> CommandResult
/// A service's commands: each type's handler with the policy that says who may send it.
public typealias CommandTable = [String: Guarded<CommandHandler>]
/// A service's queries: each type's handler with the policy that says who may ask it.
public typealias QueryTable = [String: Guarded<QueryHandler>]

/// What a domain service declares; `ServiceHost` runs it on the bus.
public protocol DomainService: Sendable {
    /// Short name: database file, source (`concord/<name>`), topics (`<name>.…`, `cmd.<name>.…`).
    var name: String { get }
    /// Every type the service sends or accepts, with its versions.
    var catalog: MessageCatalog { get }
    /// The service's own named migrations.
    func registerMigrations(_ migrator: inout DatabaseMigrator)
    /// Handlers and their policies by command type (`cmd.<name>.<entity>.<verb>`).
    var commands: CommandTable { get }
    /// Handlers and their policies by query type (`query.<name>.<entity>.<verb>`).
    var queries: QueryTable { get }
    /// Other sources whose events this service reacts to.
    var follows: [Consumer.Follow] { get }
    /// Reacts to a followed source's event inside the transaction that moves the cursor: changes
    /// this service's state and emits its own events (`context.command` is the event).
    func react(to event: Envelope, context: CommandContext) throws
    /// Runs on the service's clock at every heartbeat, in a write transaction: time-driven
    /// changes such as expiries (`context.now` is the service clock's time).
    func tick(context: CommandContext) throws
}

extension DomainService {
    public var follows: [Consumer.Follow] { [] }
    public func react(to event: Envelope, context: CommandContext) throws {}
    public func tick(context: CommandContext) throws {}
    /// The `source` attribute of this service's events.
    public var source: String { "concord/\(name)" }
    /// The type of rejections this service sends.
    public var rejectionType: String { "\(name).command.rejected" }
}

extension DomainService {
    /// Every source the service's consumer follows: its own `follows`, and for every service
    /// but the registry (which keeps them itself) who holds which role.
    public var followedSources: [Consumer.Follow] {
        follows + (source == StaffRoles.follow.source ? [] : [StaffRoles.follow])
    }
}
