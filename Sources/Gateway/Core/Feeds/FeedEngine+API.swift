import BusCore
import Foundation
import NATSProtocol

/// The JetStream API: streams are read-only views, consumers belong to the partner that made them.
extension FeedEngine {
    func answer(_ call: FeedCall) async {
        guard let request = JetStreamRequest(subject: call.subject) else {
            core.metrics.feedRequestsRefused.increment()
            logger.info("unknown JetStream API request", metadata: ["gateway.partner": "\(call.partner)", "gateway.subject": "\(call.subject)"])
            reply(call, JetStreamResponse.error("io.nats.jetstream.api.v1.error_response", .badRequest), failed: true)
            return
        }
        if case .next(let stream, let name) = request {
            await pull(call, key: .init(partner: call.partner, stream: stream, name: name))
            return
        }
        if case .streamMessageGet(let name) = request {
            var result: Result<GoJSON, JetStreamError> = .failure(.streamNotFound)
            if let stream = streams[name] { result = await message(in: stream, partner: call.partner, request: call.payload) }
            switch result {
            case .success(let body): reply(call, body, failed: false)
            case .failure(let error): reply(call, JetStreamResponse.error(request.responseType, error), failed: true)
            }
            return
        }
        do {
            reply(call, try response(to: request, call), failed: false)
        } catch {
            core.metrics.feedRequestsRefused.increment()
            var extra: [(String, GoJSON)] = []
            if case .streamChange(_, "PURGE") = request { extra = [("purged", .int(0))] }
            if case .streamInfo = request { extra = [("total", .int(0)), ("offset", .int(0)), ("limit", .int(0))] }
            reply(call, JetStreamResponse.error(request.responseType, error, extra: extra), failed: true)
        }
    }

    private func response(to request: JetStreamRequest, _ call: FeedCall) throws(JetStreamError) -> GoJSON {
        let type = request.responseType
        switch request {
        case .accountInfo:
            let bytes = streams.keys.reduce(Int64(0)) { $0 + ((try? store.state(stream: $1, partner: call.partner))?.bytes ?? 0) }
            let counts = apiCounts[call.partner] ?? (0, 0)
            return JetStreamResponse.accountInfo(bytes: bytes, streams: streams.count, consumers: consumers(of: call.partner).count,
                                                 limits: configuration, api: (counts.total + 1, counts.errors))
        case .streamNames:
            let names = try matchingStreams(call.payload).map { GoJSON.string($0.name) }
            return JetStreamResponse.paged(type, total: names.count, limit: 1_024, key: "streams", items: names)
        case .streamList:
            let infos = try matchingStreams(call.payload).map { GoJSON.object(streamInfo($0, partner: call.partner)) }
            return JetStreamResponse.paged(type, total: infos.count, limit: 256, key: "streams", items: infos)
        case .streamInfo(let name):
            let stream = try self.stream(name)
            return .object([("type", .string(type)), ("total", .int(0)), ("offset", .int(0)), ("limit", .int(0))]
                           + streamInfo(stream, partner: call.partner))
        case .streamCreate(let name):
            throw streams[name] == nil ? .maximumStreams
                : JetStreamError(code: 400, errCode: 10058, description: "stream name already in use with a different configuration")
        case .streamChange(let name, _):
            _ = try stream(name)
            throw .streamSealed
        case .consumerCreate(let stream, let name, let filter):
            return try create(call, stream: stream, name: name, filter: filter, durable: nil)
        case .durableCreate(let stream, let durable):
            return try create(call, stream: stream, name: nil, filter: nil, durable: durable)
        case .consumerInfo(let stream, let name):
            _ = try self.stream(stream)
            guard let consumer = consumers[.init(partner: call.partner, stream: stream, name: name)] else { throw .consumerNotFound }
            return .object([("type", .string(type))] + consumerInfo(consumer))
        case .consumerDelete(let stream, let name):
            _ = try self.stream(stream)
            let key = FeedConsumer.Key(partner: call.partner, stream: stream, name: name)
            guard consumers[key] != nil else { throw .consumerNotFound }
            remove(key)
            return .object([("type", .string(type)), ("success", .bool(true))])
        case .consumerNames(let stream), .consumerList(let stream):
            _ = try self.stream(stream)
            let mine = consumers(of: call.partner).filter { $0.key.stream == stream }.sorted { $0.key.name < $1.key.name }
            if case .consumerNames = request {
                return JetStreamResponse.paged(type, total: mine.count, limit: 1_024, key: "consumers", items: mine.map { .string($0.key.name) })
            }
            return JetStreamResponse.paged(type, total: mine.count, limit: 256, key: "consumers", items: mine.map { .object(consumerInfo($0)) })
        case .next, .streamMessageGet:
            throw .badRequest
        }
    }

    func stream(_ name: String) throws(JetStreamError) -> FeedStream {
        guard let stream = streams[name] else { throw .streamNotFound }
        return stream
    }

    func consumers(of partner: String) -> [FeedConsumer] { consumers.values.filter { $0.key.partner == partner } }

    private func streamInfo(_ stream: FeedStream, partner: String) -> [(String, GoJSON)] {
        let state = (try? store.state(stream: stream.name, partner: partner)) ?? FeedStore.ViewState()
        let count = consumers(of: partner).filter { $0.key.stream == stream.name }.count
        return JetStreamResponse.streamInfoBody(stream, created: (try? store.created(stream.name)) ?? 0, state: state, consumers: count)
    }

    func consumerInfo(_ consumer: FeedConsumer) -> [(String, GoJSON)] {
        JetStreamResponse.consumerInfoBody(consumer, numPending: remaining(after: consumer.deliveredStream, consumer))
    }

    /// STREAM.NAMES and STREAM.LIST take an optional `{"subject": …}` to narrow the streams.
    private func matchingStreams(_ payload: [UInt8]) throws(JetStreamError) -> [FeedStream] {
        struct Filter: Decodable { var subject: String? }
        var subject: String?
        if !payload.isEmpty {
            guard let filter = try? JSONDecoder().decode(Filter.self, from: Data(payload)) else { throw .invalidJSON("") }
            subject = filter.subject
        }
        return configuration.streams.filter { stream in
            subject.map { Subject.isSubset($0, of: stream.subject) || Subject.isSubset(stream.subject, of: $0) } ?? true
        }
    }

    /// Writes an API answer to the connection that asked, on its reply subject.
    func reply(_ call: FeedCall, _ body: GoJSON, failed: Bool) {
        apiCounts[call.partner, default: (0, 0)].total += 1
        if failed { apiCounts[call.partner, default: (0, 0)].errors += 1 }
        guard let replyTo = call.replyTo else { return }
        var bytes: [UInt8] = []
        for sid in core.sids(of: call.connection, matching: replyTo) {
            ServerEncoder.message(into: &bytes, subject: replyTo, sid: sid, replyTo: nil, payload: body.bytes)
        }
        if !bytes.isEmpty { _ = core.send(bytes, to: call.connection) }
    }
}
