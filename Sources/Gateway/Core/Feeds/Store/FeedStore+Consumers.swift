import BusCore
import Foundation
import GRDB

/// Durable consumers in the gateway's database: their configuration and progress, and each
/// unacknowledged message with its delivery count. Ephemeral consumers are never stored.
extension FeedStore {
    /// Writes a consumer's progress and the changes to its unacknowledged messages.
    static func save(_ consumer: FeedConsumer, pendingChanged seqs: Set<Int64>, in db: Database) throws {
        let key = consumer.key
        let config = try JSONEncoder().encode(consumer.config)
        try db.execute(sql: """
            INSERT OR REPLACE INTO feed_consumer (partner, stream, name, config, created_ns, delivered_stream, delivered_consumer,
                floor_stream, floor_consumer, redelivered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key.partner, key.stream, key.name, config, consumer.createdNs, consumer.deliveredStream,
                             consumer.deliveredConsumer, consumer.floorStream, consumer.floorConsumer, consumer.redelivered])
        let upsert = try DirectStatement(db, sql: """
            INSERT OR REPLACE INTO feed_pending (partner, stream, consumer, stream_seq, consumer_seq, deliveries) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let remove = try DirectStatement(db, sql: "DELETE FROM feed_pending WHERE partner = ? AND stream = ? AND consumer = ? AND stream_seq = ?")
        for seq in seqs {
            let names: [DirectStatement.Value] = [.text(key.partner), .text(key.stream), .text(key.name), .integer(seq)]
            if let message = consumer.pending[seq] {
                try upsert.execute(names + [.integer(message.consumerSeq), .integer(Int64(message.deliveries))])
            } else {
                try remove.execute(names)
            }
        }
    }

    static func delete(_ key: FeedConsumer.Key, in db: Database) throws {
        for table in ["feed_consumer", "feed_pending"] {
            let column = table == "feed_consumer" ? "name" : "consumer"
            try db.execute(sql: "DELETE FROM \(table) WHERE partner = ? AND stream = ? AND \(column) = ?",
                           arguments: [key.partner, key.stream, key.name])
        }
    }

    /// Every durable consumer as stored; unacknowledged messages are due again one ack wait
    /// after the gateway starts.
    func loadConsumers(streams: [FeedStream], now: ContinuousClock.Instant) throws -> [FeedConsumer] {
        let byName = Dictionary(uniqueKeysWithValues: streams.map { ($0.name, $0) })
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM feed_consumer").compactMap { row -> FeedConsumer? in
                guard let stream = byName[row["stream"]],
                      let config = try? JSONDecoder().decode(ConsumerConfig.self, from: row["config"] as Data) else { return nil }
                let key = FeedConsumer.Key(partner: row["partner"], stream: row["stream"], name: row["name"])
                var consumer = FeedConsumer(key: key, stream: stream, config: config, createdNs: row["created_ns"],
                                            deliveredStream: row["delivered_stream"])
                consumer.deliveredConsumer = row["delivered_consumer"]
                consumer.floorStream = row["floor_stream"]
                consumer.floorConsumer = row["floor_consumer"]
                consumer.redelivered = row["redelivered"]
                let deadline = now + consumer.ackWait
                for pending in try Row.fetchAll(db, sql: """
                    SELECT p.consumer_seq, p.deliveries, v.seq, v.source_seq, v.subject, v.time_ns, v.size FROM feed_pending p
                    JOIN feed_view v ON v.stream = p.stream AND v.partner = p.partner AND v.seq = p.stream_seq
                    WHERE p.partner = ? AND p.stream = ? AND p.consumer = ?
                    """, arguments: [key.partner, key.stream, key.name]) {
                    let entry = Entry(seq: pending[2], sourceSeq: pending[3], subject: pending[4], timeNs: pending[5], size: pending[6])
                    consumer.pending[entry.seq] = FeedConsumer.Pending(entry: entry, consumerSeq: pending[0], deliveries: pending[1],
                                                                       deadline: deadline)
                }
                return consumer
            }
        }
    }
}
