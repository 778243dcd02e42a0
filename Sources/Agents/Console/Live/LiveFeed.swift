import Agents

/// A partner session's live feed: one gateway subscription per subject the partner may subscribe
/// to, each message passed to the session's WebSockets as the gateway delivered it. When the
/// gateway closes the connection (a suspended partner, a revoked credential, a gateway stopping)
/// the session ends with the gateway's reason.
enum LiveFeed {
    static func start(_ session: ConsoleSession, book: SessionBook) {
        guard let client = session.client else { return }
        for pattern in session.permissions.subscribe {
            let messages = client.subscribe(pattern)
            book.run {
                for await message in messages {
                    session.broadcast(LiveMessage.event(subject: message.subject, payload: message.payload))
                }
            }
        }
        book.run {
            await client.waitClosed()
            let said = client.closedReason.map { ": \($0)" } ?? ""
            await book.end(session, "the gateway closed \(session.partner ?? "the partner")'s connection\(said)")
        }
    }
}
