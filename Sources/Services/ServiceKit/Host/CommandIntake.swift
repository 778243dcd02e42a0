import BusCore
import Foundation
import GRDB
import Logging
import Metrics

/// Takes a service's commands and queries off the bus: decodes and checks them, answers a
/// repeated command with its first answer, and runs handlers with their journaled events and
/// stored answers in one write transaction per burst (group commit), one savepoint per command,
/// so a refused command leaves nothing behind. Events are published after the commit, then replies.
struct CommandIntake: Sendable {
    let service: any DomainService
    /// The service's handlers and their policies, built once: a service declares them as
    /// computed properties.
    let commands: CommandTable
    let queries: QueryTable
    let catalog: MessageCatalog
    let database: DatabasePool
    let source: EventSource
    let connection: BusConnection
    let environment: ServiceEnvironment
    let logger: Logger
    let timer: Timer
    let rejected: Counter
    var deadLetters: DeadLetterLog { DeadLetterLog(part: service.name, logger: logger) }

    /// A command or query read off the bus, its data already parsed.
    struct Accepted: Sendable {
        let envelope: Envelope
        let isQuery: Bool
        /// Nil when the data is not JSON: the handler's decoding then reports why.
        let parsedData: JSONValue?
    }

    /// Handles a burst in order: consecutive commands share one transaction; a query sees every
    /// command before it.
    func handle(_ burst: [BusMessage]) async {
        await execute(await accept(burst))
    }

    /// Reads a burst: envelopes decoded and checked, data parsed. This runs while the previous
    /// burst is in its write transaction, so it is kept out of the writer's way.
    func accept(_ burst: [BusMessage]) async -> [Accepted] {
        var accepted: [Accepted] = []
        accepted.reserveCapacity(burst.count)
        for message in burst {
            guard let envelope = await accept(message) else { continue }
            accepted.append(Accepted(envelope: envelope, isQuery: message.topic.hasPrefix("query."),
                                     parsedData: envelope.data.flatMap { try? JSONTreeDecoder.parse($0) }))
        }
        return accepted
    }

    /// Runs what `accept` read, in order.
    func execute(_ accepted: [Accepted]) async {
        var commands: [Accepted] = []
        for item in accepted {
            if item.isQuery {
                await executeInOneTransaction(commands)
                commands.removeAll()
                reply(to: item.envelope, with: await answerQuery(item.envelope))
            } else {
                commands.append(item)
            }
        }
        await executeInOneTransaction(commands)
    }

    /// The envelope, or nil after dead-lettering what cannot be read.
    private func accept(_ message: BusMessage) async -> Envelope? {
        do {
            let envelope = try EnvelopeCodec.decode(message.payload)
            guard envelope.type == message.topic else {
                await deadLetter(DeadLetter(topic: message.topic, source: envelope.source, code: "topic_mismatch",
                                            reason: "topic '\(message.topic)' differs from type '\(envelope.type)'",
                                            payload: message.payload))
                return nil
            }
            return envelope
        } catch {
            // Nothing to reply to: the inbox is inside what could not be read.
            await deadLetter(DeadLetter(topic: message.topic, code: error.code.rawValue, reason: error.reason, payload: message.payload))
            return nil
        }
    }

    private func executeInOneTransaction(_ commands: [Accepted]) async {
        try? await submit(commands).wait()
    }

    /// Queues the commands' transaction on the writer and returns at once; the signal is
    /// settled once their events and answers are out. The writer takes transactions in the
    /// order submitted, and publishing from its queue right after the commit keeps it busy
    /// instead of waiting for a hop back to the intake.
    func submit(_ commands: [Accepted]) -> ReadySignal<Void> {
        let done = ReadySignal<Void>()
        guard !commands.isEmpty else {
            done.succeed(())
            return done
        }
        let started = ContinuousClock.now
        database.asyncWrite({ db in
            var replies: [[UInt8]] = [], events: [BusMessage] = []
            for command in commands {
                let (reply, journaled) = try execute(command, in: db)
                replies.append(reply)
                events += journaled
            }
            return (replies, events)
        }, completion: { _, result in
            switch result {
            case .success(let (replies, events)):
                source.publish(events)
                for (command, answer) in zip(commands, replies) { reply(to: command.envelope, with: answer) }
            case .failure(let error):
                logger.error("command transaction failed", metadata: ["service.error": "\(error)", "service.commands": "\(commands.count)"])
                for command in commands.map(\.envelope) {
                    reply(to: command, with: rejection(CommandError(.internalError, "the \(service.name) service could not store the command: \(error)"), command))
                }
            }
            timer.recordNanoseconds((ContinuousClock.now - started).nanoseconds / Int64(commands.count))
            done.succeed(())
        })
        return done
    }

    /// Runs one command inside the group's transaction; returns its answer and the events to publish.
    private func execute(_ accepted: Accepted, in db: Database) throws -> ([UInt8], [BusMessage]) {
        let command = accepted.envelope
        let key = "\(command.source)|\(command.idempotencyKey ?? command.id)"
        if let first = try CommandOutcome.reply(to: key, in: db) {
            logger.debug("repeated command answered with its first answer", metadata: ["command.type": "\(command.type)"])
            return (first, [])
        }
        let outbox = Outbox()
        var reply: [UInt8] = []
        do {
            let upcast = try checked(command)
            guard let entry = commands[command.type] else { throw unknown(command) }
            try db.inCommandSavepoint {
                // The parsed data still holds when upcasting left the data as it was.
                let parsed = upcast.data == command.data ? accepted.parsedData : upcast.data.flatMap { try? JSONTreeDecoder.parse($0) }
                // Who may send it is decided here, once, before the handler runs.
                let audience = try Authorization.authorize(upcast, data: parsed, policy: entry.policy, in: db)
                var context = CommandContext(command: upcast, db: db, source: source, environment: environment,
                                             outbox: outbox, catalog: catalog, parsedData: parsed)
                context.audience = audience
                let result = try entry.handler(context)
                reply = EnvelopeCodec.encode(replyEnvelope(result.type, result.data, label: result.label, to: command))
            }
        } catch let error as CommandError {
            let refusal = rejection(error, command)
            try record(refusal, key: key, command: command, in: db)
            return (refusal, [])
        } catch let error as DatabaseError where error.resultCode != .SQLITE_CONSTRAINT {
            // The transaction itself is in trouble (I/O, a full disk): every command in it is refused.
            throw error
        } catch {
            // A constraint failure is the statement's alone (SQLite undid it, and the savepoint
            // the rest of the command): the other commands of the group still commit.
            logger.error("command failed", metadata: ["command.type": "\(command.type)", "command.error": "\(error)"])
            return (rejection(CommandError(.internalError, "the \(service.name) service failed: \(error)"), command), [])
        }
        try record(reply, key: key, command: command, in: db)
        return (reply, outbox.messages)
    }

    private func answerQuery(_ query: Envelope) async -> [UInt8] {
        do {
            let upcast = try checked(query)
            guard let entry = queries[query.type] else { throw unknown(query) }
            // A synchronous read: queries are short, and the hop to GRDB's reader queue and back
            // was most of a query's latency.
            let result = try readNow { db in
                let data = upcast.data.flatMap { try? JSONTreeDecoder.parse($0) }
                let audience = try Authorization.authorize(upcast, data: data, policy: entry.policy, in: db)
                return try entry.handler(QueryContext(query: upcast, db: db, audience: audience))
            }
            return EnvelopeCodec.encode(replyEnvelope(result.type, result.data, label: result.label, to: query))
        } catch let error as CommandError {
            return rejection(error, query)
        } catch {
            logger.error("query failed", metadata: ["query.type": "\(query.type)", "query.error": "\(error)"])
            return rejection(CommandError(.internalError, "the query failed: \(error)"), query)
        }
    }

    private func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    private func reply(to request: Envelope, with answer: [UInt8]) {
        guard let replyTo = request.replyTo, !replyTo.isEmpty else { return }
        connection.publish(topic: replyTo, payload: answer)
    }

    /// The command with its data in the current version, or why it cannot be.
    private func checked(_ command: Envelope) throws -> Envelope {
        do {
            return try catalog.upcast(command)
        } catch {
            switch error.code {
            case .unknownType: throw unknown(command)
            case .newerVersion: throw CommandError(.newerVersion, error.reason, command: command.type)
            default: throw CommandError(.invalidCommand, error.reason, command: command.type)
            }
        }
    }

    private func unknown(_ command: Envelope) -> CommandError {
        let known = (Array(commands.keys) + Array(queries.keys)).sorted().joined(separator: ", ")
        return CommandError(.unknownCommand, "the \(service.name) service has no '\(command.type)'; it takes: \(known)",
                            command: command.type)
    }

    private func record(_ reply: [UInt8], key: String, command: Envelope, in db: Database) throws {
        try CommandOutcome.record(key: key, commandType: command.type, reply: reply,
                                  recordedAt: Timestamp.rfc3339(environment.clock()), in: db)
    }

    private func replyEnvelope(_ type: String, _ data: [UInt8], label: Label? = nil, to request: Envelope) -> Envelope {
        var reply = environment.makeEnvelope(type: type, source: service.source)
        reply.dataVersion = catalog.version(of: type)
        reply.traceparent = request.traceparent
        reply.extensions["inreplyto"] = request.id
        // An answer goes to whoever asked, and no further than its content may go: a partner's
        // answer keeps the content's classification and names the partner only if the content's
        // label does (or the content is unlabelled, i.e. unclassified).
        if let partner = PartnerSource.code(of: request.source) {
            reply.classification = (label?.classification ?? .unclassified).rawValue
            reply.releasableTo = label.map { $0.releasableTo.contains(partner) ? [partner] : [] } ?? [partner]
        }
        reply.data = data
        return reply
    }

    private func rejection(_ error: CommandError, _ request: Envelope) -> [UInt8] {
        rejected.increment()
        logger.info("command rejected", metadata: [
            "command.type": "\(request.type)", "command.source": "\(request.source)",
            "command.code": "\(error.code.rawValue)", "command.reason": "\(error.message)",
        ])
        var error = error
        error.command = request.type
        let data = (try? JSONCoding.encoder.encode(error)).map(Array.init) ?? Array("{}".utf8)
        return EnvelopeCodec.encode(replyEnvelope(service.rejectionType, data, to: request))
    }

    private func deadLetter(_ letter: DeadLetter) async {
        do {
            try await database.write { db in try deadLetters.record(letter, in: db) }
        } catch {
            deadLetters.report(letter)
        }
    }
}

extension Database {
    /// Runs `body` in a savepoint that a throw rolls back. Cached statements: GRDB's
    /// `inSavepoint` parses its SQL anew each time, and every command takes one.
    func inCommandSavepoint(_ body: () throws -> Void) throws {
        try cachedStatement(sql: "SAVEPOINT command").execute()
        do {
            try body()
        } catch {
            try cachedStatement(sql: "ROLLBACK TO SAVEPOINT command").execute()
            try cachedStatement(sql: "RELEASE SAVEPOINT command").execute()
            throw error
        }
        try cachedStatement(sql: "RELEASE SAVEPOINT command").execute()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
