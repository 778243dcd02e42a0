import BusCore
import Foundation
import GRDB

/// Durable consumers in the gateway's database. A consumer's unacknowledged messages are the
/// entries of its view between its ack floor and its last delivery, less those recorded as
/// acknowledged out of order (`feed_acked`); delivery counts above one are kept beside them
/// (`feed_redelivery`). Acknowledged in order, a consumer's progress is one row whatever the
/// number of messages. Ephemeral consumers are never stored.
extension FeedStore {
    /// Writes a consumer's progress and what changed at `seqs`.
    static func save(_ consumer: FeedConsumer, changed seqs: Set<Int64>, in db: Database) throws {
        let key = consumer.key
        let config = try JSONEncoder().encode(consumer.config)
        try db.execute(sql: """
            INSERT OR REPLACE INTO feed_consumer (partner, stream, name, config, created_ns, delivered_stream, delivered_consumer,
                floor_stream, floor_consumer, redelivered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key.partner, key.stream, key.name, config, consumer.createdNs, consumer.deliveredStream,
                             consumer.deliveredConsumer, consumer.floorStream, consumer.floorConsumer, consumer.redelivered])
        let names: [DirectStatement.Value] = [.text(key.partner), .text(key.stream), .text(key.name)]
        for table in ["feed_acked", "feed_redelivery"] {
            try DirectStatement(db, sql: "DELETE FROM \(table) WHERE partner = ? AND stream = ? AND consumer = ? AND stream_seq <= ?")
                .execute(names + [.integer(consumer.floorStream)])
        }
        let above = seqs.filter { $0 > consumer.floorStream }
        guard !above.isEmpty else { return }
        let acked = try DirectStatement(db, sql: "INSERT OR IGNORE INTO feed_acked (partner, stream, consumer, stream_seq) VALUES (?, ?, ?, ?)")
        let redelivery = try DirectStatement(db, sql: """
            INSERT OR REPLACE INTO feed_redelivery (partner, stream, consumer, stream_seq, consumer_seq, deliveries) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let forget = try DirectStatement(db, sql: "DELETE FROM feed_redelivery WHERE partner = ? AND stream = ? AND consumer = ? AND stream_seq = ?")
        for seq in above {
            if let message = consumer.pending[seq] {
                if message.deliveries > 1 {
                    try redelivery.execute(names + [.integer(seq), .integer(message.consumerSeq), .integer(Int64(message.deliveries))])
                }
            } else {
                try acked.execute(names + [.integer(seq)])
                try forget.execute(names + [.integer(seq)])
            }
        }
    }

    static func delete(_ key: FeedConsumer.Key, in db: Database) throws {
        try db.execute(sql: "DELETE FROM feed_consumer WHERE partner = ? AND stream = ? AND name = ?", arguments: [key.partner, key.stream, key.name])
        for table in ["feed_acked", "feed_redelivery"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE partner = ? AND stream = ? AND consumer = ?",
                           arguments: [key.partner, key.stream, key.name])
        }
    }

    /// Every durable consumer as stored; unacknowledged messages are due again one ack wait
    /// after the gateway starts.
    func loadConsumers(streams: [FeedStream], now: ContinuousClock.Instant) throws -> [FeedConsumer] {
        let byName = Dictionary(uniqueKeysWithValues: streams.map { ($0.name, $0) })
        let rows = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM feed_consumer") }
        return try rows.compactMap { row -> FeedConsumer? in
            guard let stream = byName[row["stream"]],
                  let config = try? JSONDecoder().decode(ConsumerConfig.self, from: row["config"] as Data) else { return nil }
            let key = FeedConsumer.Key(partner: row["partner"], stream: row["stream"], name: row["name"])
            var consumer = FeedConsumer(key: key, stream: stream, config: config, createdNs: row["created_ns"],
                                        deliveredStream: row["delivered_stream"])
            consumer.deliveredConsumer = row["delivered_consumer"]
            consumer.floorStream = row["floor_stream"]
            consumer.floorConsumer = row["floor_consumer"]
            consumer.redelivered = row["redelivered"]
            guard consumer.acks, consumer.deliveredStream > consumer.floorStream else { return consumer }
            let (acked, redeliveries) = try database.read { db in
                let arguments: StatementArguments = [key.partner, key.stream, key.name]
                let acked = Set(try Int64.fetchAll(db, sql: "SELECT stream_seq FROM feed_acked WHERE partner = ? AND stream = ? AND consumer = ?",
                                                   arguments: arguments))
                let redeliveries = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                    SELECT stream_seq, consumer_seq, deliveries FROM feed_redelivery WHERE partner = ? AND stream = ? AND consumer = ?
                    """, arguments: arguments).map { ($0[0] as Int64, (consumerSeq: $0[1] as Int64, deliveries: $0[2] as Int)) })
                return (acked, redeliveries)
            }
            let span = Int(consumer.deliveredStream - consumer.floorStream)
            let entries = try self.entries(stream: key.stream, partner: key.partner, after: consumer.floorStream, filter: consumer.filter,
                                           limit: span).filter { $0.seq <= consumer.deliveredStream && !acked.contains($0.seq) }
            let deadline = now + consumer.ackWait
            consumer.restore(entries.enumerated().map { index, entry in
                let known = redeliveries[entry.seq]
                return FeedConsumer.Pending(entry: entry, consumerSeq: known?.consumerSeq ?? consumer.floorConsumer + Int64(index) + 1,
                                            deliveries: known?.deliveries ?? 1, deadline: deadline)
            })
            return consumer
        }
    }
}
