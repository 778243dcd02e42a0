import Agents
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `GET /api/live` upgraded to a WebSocket: a signed-in partner's browser receives what the
/// partner's gateway connection receives, from the moment it joins; with `since` and `seen` it
/// first gets what it missed, from the partner's feed. Upgrades need the session cookie and
/// this console's own page as origin (another site's page cannot open one with the cookie).
enum LiveSocket {
    typealias Upgrade = ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>

    static func shouldUpgrade(_ request: HTTPRequest, book: SessionBook) async -> Upgrade {
        let target = URLComponents(string: request.path ?? "/")
        guard target?.path == "/api/live" else { return .dontUpgrade }
        guard Origins.sameOrigin(request.headerFields[.origin], authority: request.authority) else {
            book.logger.notice("console WebSocket refused: another site's page", metadata: ["console.origin": "\(request.headerFields[.origin] ?? "")"])
            return .dontUpgrade
        }
        let cookies = Cookies(from: request.headerFields[values: .cookie])
        guard let session = await book.session(cookies[Replies.cookieName]?.value), session.client != nil else {
            book.logger.notice("console WebSocket refused: no partner session", metadata: ["console.cookie": "\(cookies[Replies.cookieName] != nil ? "unknown or ended" : "none")"])
            return .dontUpgrade
        }
        var query: [String: String] = [:]
        for item in target?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let position = FeedResume.Position(query: query)
        return .upgrade([:]) { inbound, outbound, _ in
            await serve(session, resumeFrom: position, inbound: inbound, outbound: outbound)
        }
    }

    static func serve(_ session: ConsoleSession, resumeFrom position: FeedResume.Position?,
                      inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        guard let (socket, messages) = session.attach() else {
            try? await outbound.write(.text(LiveMessage.ended(session.endedBecause ?? "the session has ended")))
            return
        }
        defer { session.detach(socket) }
        do {
            if let position, let client = session.client {
                let (count, note) = try await FeedResume.replay(client, from: position) { try await outbound.write(.text($0)) }
                try await outbound.write(.text(LiveMessage.resumed(count: count, note: note)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The browser closing its side ends the socket; so does the session ending.
                group.addTask { for try await _ in inbound {} }
                group.addTask { for await text in messages { try await outbound.write(.text(text)) } }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            // The browser went away mid-write; it resumes when it reconnects.
        }
    }
}
