import BusCore
import Foundation
import GRDB
import Logging
import Metrics

/// Takes a service's commands and queries off the bus: decodes and checks them, answers a
/// repeated command with its first answer, runs the handler in one write transaction together
/// with the journaled events and the stored answer, and replies on the command's inbox.
struct CommandIntake: Sendable {
    let service: any DomainService
    let catalog: MessageCatalog
    let database: DatabasePool
    let source: EventSource
    let connection: BusConnection
    let environment: ServiceEnvironment
    let logger: Logger
    let timer: Timer
    let rejected: Counter
    var deadLetters: DeadLetterLog { DeadLetterLog(part: service.name, logger: logger) }

    func handle(_ message: BusMessage) async {
        let started = ContinuousClock.now
        let envelope: Envelope
        do {
            envelope = try EnvelopeCodec.decode(message.payload)
        } catch {
            // Nothing to reply to: the inbox is inside what could not be read.
            await deadLetter(DeadLetter(topic: message.topic, code: error.code.rawValue, reason: error.reason,
                                        payload: message.payload))
            return
        }
        guard envelope.type == message.topic else {
            await deadLetter(DeadLetter(topic: message.topic, source: envelope.source, code: "topic_mismatch",
                                        reason: "topic '\(message.topic)' differs from type '\(envelope.type)'",
                                        payload: message.payload))
            return
        }
        let reply = message.topic.hasPrefix("query.") ? await answerQuery(envelope) : await execute(envelope)
        if let replyTo = envelope.replyTo, !replyTo.isEmpty {
            connection.publish(topic: replyTo, payload: reply)
        }
        timer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
    }

    private func execute(_ command: Envelope) async -> [UInt8] {
        let key = "\(command.source)|\(command.idempotencyKey ?? command.id)"
        do {
            if let first = try await database.read({ db in try CommandOutcome.fetchOne(db, key: key) }) {
                logger.debug("repeated command answered with its first answer", metadata: ["command.type": "\(command.type)"])
                return Array(first.reply)
            }
            let upcast: Envelope
            do {
                upcast = try checked(command)
            } catch let error as CommandError {
                return try await store(rejection(error, command), key: key, command: command)
            }
            guard let handler = service.commands[command.type] else {
                return try await store(rejection(unknown(command), command), key: key, command: command)
            }
            do {
                return try await database.write { [source, environment] db in
                    let result = try handler(CommandContext(command: upcast, db: db, source: source, environment: environment))
                    let reply = EnvelopeCodec.encode(self.replyEnvelope(result.type, result.data, to: command))
                    try self.record(reply, key: key, command: command, in: db)
                    return reply
                }
            } catch let error as CommandError {
                return try await store(rejection(error, command), key: key, command: command)
            }
        } catch {
            logger.error("command failed", metadata: ["command.type": "\(command.type)", "command.error": "\(error)"])
            return rejection(CommandError(.internalError, "the \(service.name) service could not process the command: \(error)"), command)
        }
    }

    private func answerQuery(_ query: Envelope) async -> [UInt8] {
        do {
            let upcast = try checked(query)
            guard let handler = service.queries[query.type] else { throw unknown(query) }
            let result = try await database.read { db in try handler(QueryContext(query: upcast, db: db)) }
            return EnvelopeCodec.encode(replyEnvelope(result.type, result.data, to: query))
        } catch let error as CommandError {
            return rejection(error, query)
        } catch {
            logger.error("query failed", metadata: ["query.type": "\(query.type)", "query.error": "\(error)"])
            return rejection(CommandError(.internalError, "the query failed: \(error)"), query)
        }
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
        let known = (Array(service.commands.keys) + Array(service.queries.keys)).sorted().joined(separator: ", ")
        return CommandError(.unknownCommand, "the \(service.name) service has no '\(command.type)'; it takes: \(known)",
                            command: command.type)
    }

    private func store(_ reply: [UInt8], key: String, command: Envelope) async throws -> [UInt8] {
        try await database.write { db in try record(reply, key: key, command: command, in: db) }
        return reply
    }

    private func record(_ reply: [UInt8], key: String, command: Envelope, in db: Database) throws {
        try CommandOutcome(key: key, commandType: command.type, reply: Data(reply),
                           recordedAt: Timestamp.rfc3339(environment.clock())).insert(db)
    }

    private func replyEnvelope(_ type: String, _ data: [UInt8], to request: Envelope) -> Envelope {
        var reply = environment.makeEnvelope(type: type, source: service.source)
        reply.dataVersion = catalog.version(of: type)
        reply.traceparent = request.traceparent
        reply.extensions["inreplyto"] = request.id
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

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
