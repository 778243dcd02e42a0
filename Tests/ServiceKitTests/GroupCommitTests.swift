import Agents
import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import ServiceKit
import Synchronization
import Testing

/// A service whose notes each take a numbered slot that no other note may hold: a second note
/// in a taken slot fails on the table's UNIQUE constraint, after journaling its event.
struct NotesService: DomainService {
    struct AddNote: Codable, Sendable {
        let note: String
        let slot: Int
    }

    var name: String { "notes" }

    var catalog: MessageCatalog {
        MessageCatalog([
            MessageType("cmd.notes.note.add", summary: "Adds a note in a slot.", data: AddNote.self),
            MessageType("notes.note.added", summary: "A note was added.", data: AddNote.self),
            MessageType("notes.command.rejected", summary: "A notes command was refused.", data: CommandError.self),
        ])
    }

    func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notes-v1") { db in
            try db.execute(sql: "CREATE TABLE note (note TEXT PRIMARY KEY, slot INTEGER NOT NULL UNIQUE)")
        }
    }

    var commands: CommandTable {
        ["cmd.notes.note.add": Guarded(.staff(.registryAdministration)) { context in
            let input = try context.input(AddNote.self)
            let event = try context.emit("notes.note.added", input)
            try context.db.execute(sql: "INSERT INTO note (note, slot) VALUES (?, ?)", arguments: [input.note, input.slot])
            return CommandResult(answering: event, label: nil)
        }]
    }

    var queries: QueryTable { [:] }
}

@Suite("Group commit")
struct GroupCommitTests {
    @Test("a command failing on a constraint is refused alone: the commands sent with it commit, with gap-free events")
    func constraintFailureStaysWithItsCommand() async throws {
        let bed = try await ServiceTestBed.start(NotesService())
        let replies = Mutex<[String: String]>([:])
        // Sent back to back without waiting, so they reach the service together and share
        // write transactions; note 20 takes note 5's slot.
        for index in 1...40 {
            var command = Envelope(id: "N-\(index)", source: "operator/admin", type: "cmd.notes.note.add",
                                   time: Timestamp.rfc3339(Date()), dataVersion: 1)
            try command.setData(NotesService.AddNote(note: "N-\(index)", slot: index == 20 ? 5 : index))
            bed.connection.request(command) { reply in
                let answer = Self.describe(reply)
                replies.withLock { $0["N-\(index)"] = answer }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while replies.withLock({ $0.count }) < 40, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let answered = replies.withLock { $0 }
        #expect(answered.count == 40)
        #expect(answered["N-20"]?.hasPrefix("rejected: internal_error") == true, "\(answered["N-20"] ?? "no answer")")
        #expect(answered["N-20"]?.contains("UNIQUE constraint failed: note.slot") == true)
        let added = answered.filter { $0.value == "notes.note.added" }.keys
        #expect(Set(added) == Set((1...40).filter { $0 != 20 }.map { "N-\($0)" }))
        let (notes, sequences) = try bed.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM note") ?? 0,
             try Int64.fetchAll(db, sql: "SELECT sequence FROM journal ORDER BY sequence"))
        }
        #expect(notes == 39)
        #expect(sequences == Array(1...39))
        await bed.stop()
    }

    /// The reply's type, or the refusal's code and message.
    static func describe(_ reply: BusMessage) -> String {
        guard let envelope = try? EnvelopeCodec.decode(reply.payload) else { return "unreadable" }
        guard envelope.type == "notes.command.rejected" else { return envelope.type }
        let rejection = try? envelope.decodeData(CommandClient.Rejection.self)
        return "rejected: \(rejection?.description ?? "?")"
    }
}
