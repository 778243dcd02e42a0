import NIOCore
import NIOSSL

/// Which partner a verified client certificate belongs to, under mutual TLS: the partner code in
/// a URI subject alternative name `urn:concord:partner:<CODE>`. A certificate naming no partner,
/// or more than one, belongs to none.
enum ClientCertificate {
    static let uriPrefix = "urn:concord:partner:"

    /// Read on the channel's event loop, after the handshake (CONNECT comes inside TLS).
    static func partner(of channel: any Channel) -> String? {
        guard let certificate = try? channel.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
        let partners = certificate._subjectAlternativeNames().compactMap { name -> String? in
            guard name.nameType == .uri else { return nil }
            let uri = name.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
            return uri.hasPrefix(uriPrefix) ? String(uri.dropFirst(uriPrefix.count)) : nil
        }
        return partners.count == 1 ? partners[0] : nil
    }
}
