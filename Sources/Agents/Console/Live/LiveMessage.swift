import Foundation

/// What the console sends a browser over its WebSocket, one JSON object per message:
/// `{"kind":"event","subject":…,"event":<the envelope the gateway delivered>}`, and
/// `{"kind":"ended","reason":…}` or `{"kind":"resumed","count":…}` about the connection.
enum LiveMessage {
    static func event(subject: String, payload: [UInt8]) -> String {
        // Delivered envelopes are JSON objects; anything else goes as a string, so the browser
        // always parses what it is given.
        let body = payload.first == UInt8(ascii: "{") ? String(decoding: payload, as: UTF8.self)
                                                       : quoted(String(decoding: payload, as: UTF8.self))
        return #"{"kind":"event","subject":"# + quoted(subject) + #","event":"# + body + "}"
    }

    static func ended(_ reason: String) -> String { #"{"kind":"ended","reason":"# + quoted(reason) + "}" }

    static func resumed(count: Int, note: String?) -> String {
        #"{"kind":"resumed","count":\#(count)"# + (note.map { #","note":"# + quoted($0) } ?? "") + "}"
    }

    static func quoted(_ text: String) -> String {
        (try? String(decoding: JSONEncoder().encode(text), as: UTF8.self)) ?? #""""#
    }
}
