import Agents
import BusCore
import Foundation

/// After a dropped WebSocket the browser says what it saw last (per source, the envelope's
/// `sequence`, and the time of the newest event); the console reads the partner's own view of
/// each stream from that time through a short-lived JetStream consumer on the partner's gateway
/// connection, and sends what the browser has not seen. The view holds exactly what the gateway
/// released to the partner, so a resumed browser gets nothing a live one would not.
enum FeedResume {
    /// The gateway's streams, one per service (docs/feeds.md).
    static let streams = ["REGISTRY", "LOGISTICS", "INTELLIGENCE", "TRAINING", "LIAISON"]
    static let batch = 500
    /// Most events one resume sends; a page that missed more loads its layers afresh instead.
    static let maxEvents = 10_000

    struct Position: Sendable {
        var since: Date
        /// Per source (`concord/logistics`), the last sequence the browser has.
        var seen: [String: Int64]

        /// From the WebSocket URL's query: `since=<RFC 3339>&seen=<source>:<sequence>,…`.
        init?(query: [String: String]) {
            guard let text = query["since"], let since = Timestamp.parse(text) else { return nil }
            self.since = since
            seen = [:]
            for pair in (query["seen"] ?? "").split(separator: ",") {
                let parts = pair.split(separator: ":", maxSplits: 1)
                if parts.count == 2, let sequence = Int64(parts[1]) { seen[String(parts[0])] = sequence }
            }
        }
    }

    /// Sends every missed event; returns how many, and a note for each stream it could not read.
    static func replay(_ client: PartnerClient, from position: Position, send: (String) async throws -> Void) async throws -> (Int, String?) {
        var count = 0
        var notes: [String] = []
        var budget = maxEvents
        // A minute before the newest event seen: the view's times are when the gateway indexed
        // an event, a little after the envelope's; what was seen already is passed over.
        let start = Timestamp.rfc3339(position.since.addingTimeInterval(-60))
        for stream in streams {
            do {
                let sent = try await replay(stream, client, start: start, seen: position.seen, limit: budget, send: send)
                count += sent
                budget -= sent
                if budget <= 0 {
                    notes.append("more than \(maxEvents) events were missed; the rest are in the layers and lists")
                    break
                }
            } catch let failure as PartnerClient.Failure {
                notes.append("\(stream) not resumed: \(failure.message)")
            }
        }
        return (count, notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    private static func replay(_ stream: String, _ client: PartnerClient, start: String, seen: [String: Int64], limit: Int,
                               send: (String) async throws -> Void) async throws -> Int {
        let config = #"{"stream_name":"\#(stream)","config":{"deliver_policy":"by_start_time","opt_start_time":"\#(start)","ack_policy":"none","inactive_threshold":60000000000}}"#
        let created = try await client.request("$JS.API.CONSUMER.CREATE.\(stream)", payload: Array(config.utf8))
        guard let info = try? JSONSerialization.jsonObject(with: Data(created.payload)) as? [String: Any], let name = info["name"] as? String else {
            let error = (try? JSONSerialization.jsonObject(with: Data(created.payload)) as? [String: Any])?["error"] as? [String: Any]
            throw PartnerClient.Failure(message: error?["description"] as? String ?? "no consumer")
        }
        let inbox = "_INBOX.console.\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let (subscription, messages) = client.subscribeWithID(inbox)
        defer {
            client.unsubscribe(subscription)
            client.publish("$JS.API.CONSUMER.DELETE.\(stream).\(name)", payload: [])
        }
        var iterator = messages.makeAsyncIterator()
        var sent = 0
        while true {
            client.publish("$JS.API.CONSUMER.MSG.NEXT.\(stream).\(name)", payload: Array(#"{"batch":\#(batch),"no_wait":true}"#.utf8), replyTo: inbox)
            var received = 0
            while received < batch {
                guard let message = await iterator.next() else { throw PartnerClient.Failure(message: "the gateway closed the connection") }
                if message.status != nil { return sent }    // 404 or 408: nothing more now
                received += 1
                if isNew(message.payload, seen: seen) {
                    try await send(LiveMessage.event(subject: message.subject, payload: message.payload))
                    sent += 1
                    if sent >= limit { return sent }
                }
            }
        }
    }

    /// Not yet seen by the browser: a source it has not heard from, or a later sequence.
    static func isNew(_ payload: [UInt8], seen: [String: Int64]) -> Bool {
        guard let envelope = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let source = envelope["source"] as? String, let sequence = (envelope["sequence"] as? NSNumber)?.int64Value else { return true }
        return sequence > (seen[source] ?? 0)
    }
}
