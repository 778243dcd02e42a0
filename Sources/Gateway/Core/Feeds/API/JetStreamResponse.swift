/// JetStream API answers in nats-server 2.9's shapes, field by field in its order.
enum JetStreamResponse {
    static func error(_ type: String, _ error: JetStreamError, extra: [(String, GoJSON)] = []) -> GoJSON {
        .object([("type", .string(type)), ("error", error.json)] + extra)
    }

    static func accountInfo(bytes: Int64, streams: Int, consumers: Int, limits: FeedConfiguration, api: (total: Int, errors: Int)) -> GoJSON {
        .object([
            ("type", .string(JetStreamRequest.accountInfo.responseType)),
            ("memory", .int(0)), ("storage", .integer(bytes)), ("streams", .int(streams)), ("consumers", .int(consumers)),
            ("limits", .object([
                ("max_memory", .int(-1)), ("max_storage", .int(-1)), ("max_streams", .int(streams)),
                ("max_consumers", .int(limits.maxConsumersPerPartner)), ("max_ack_pending", .int(limits.maxAckPendingLimit)),
                ("memory_max_stream_bytes", .int(-1)), ("storage_max_stream_bytes", .int(-1)), ("max_bytes_required", .bool(false)),
            ])),
            ("api", .object([("total", .int(api.total)), ("errors", .int(api.errors))])),
        ])
    }

    /// A stream's configuration: read-only (sealed, no deletes, no purges), kept as long as the journal.
    static func streamConfig(_ stream: FeedStream) -> GoJSON {
        .object([
            ("name", .string(stream.name)),
            ("description", .string("Concord's \(stream.source.dropFirst("concord/".count)) journal as releasable to you (read-only)")),
            ("subjects", .array([.string(stream.subject)])), ("retention", .string("limits")), ("max_consumers", .int(-1)),
            ("max_msgs", .int(-1)), ("max_bytes", .int(-1)), ("max_age", .int(0)), ("max_msgs_per_subject", .int(-1)),
            ("max_msg_size", .int(-1)), ("discard", .string("new")), ("storage", .string("file")), ("num_replicas", .int(1)),
            ("duplicate_window", .int(0)), ("allow_direct", .bool(false)), ("mirror_direct", .bool(false)),
            ("sealed", .bool(true)), ("deny_delete", .bool(true)), ("deny_purge", .bool(true)), ("allow_rollup_hdrs", .bool(false)),
        ])
    }

    static func streamInfoBody(_ stream: FeedStream, created: Int64, state: FeedStore.ViewState, consumers: Int) -> [(String, GoJSON)] {
        [
            ("config", streamConfig(stream)),
            ("created", .time(nanoseconds: created)),
            ("state", .fields([
                ("messages", .integer(state.messages)), ("bytes", .integer(state.bytes)),
                ("first_seq", .integer(state.firstSeq)), ("first_ts", .time(nanoseconds: state.firstTimeNs)),
                ("last_seq", .integer(state.lastSeq)), ("last_ts", .time(nanoseconds: state.lastTimeNs)),
                ("num_subjects", state.subjects > 0 ? .integer(state.subjects) : nil),
                ("consumer_count", .int(consumers)),
            ])),
        ]
    }

    static func consumerInfoBody(_ consumer: FeedConsumer, numPending: Int64) -> [(String, GoJSON)] {
        [
            ("stream_name", .string(consumer.key.stream)),
            ("name", .string(consumer.key.name)),
            ("created", .time(nanoseconds: consumer.createdNs)),
            ("config", consumer.config.json),
            ("delivered", sequenceInfo(consumer.deliveredConsumer, consumer.deliveredStream, lastActive: consumer.lastDeliveredNs)),
            ("ack_floor", sequenceInfo(consumer.floorConsumer, consumer.floorStream, lastActive: consumer.lastAckNs)),
            ("num_ack_pending", .int(consumer.pending.count)),
            ("num_redelivered", .integer(consumer.redelivered)),
            ("num_waiting", .int(consumer.waiting.count)),
            ("num_pending", .integer(numPending)),
        ]
    }

    static func sequenceInfo(_ consumerSeq: Int64, _ streamSeq: Int64, lastActive: Int64) -> GoJSON {
        .fields([("consumer_seq", .integer(consumerSeq)), ("stream_seq", .integer(streamSeq)),
                 ("last_active", lastActive > 0 ? .time(nanoseconds: lastActive) : nil)])
    }

    static func paged(_ type: String, total: Int, limit: Int, key: String, items: [GoJSON]) -> GoJSON {
        .object([("type", .string(type)), ("total", .int(total)), ("offset", .int(0)), ("limit", .int(limit)),
                 (key, items.isEmpty ? .null : .array(items))])
    }

    /// A publish into a stream, refused as nats-server refuses it for a sealed stream.
    static func sealedPublish(_ stream: FeedStream) -> GoJSON {
        .object([("error", JetStreamError.streamSealed.json), ("stream", .string(stream.name)), ("seq", .int(0))])
    }
}
