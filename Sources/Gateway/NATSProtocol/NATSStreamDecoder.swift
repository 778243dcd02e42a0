/// A decoder of a NATS byte stream, in either direction: bytes in, whole operations out, and a
/// protocol error (after which it stays failed) for what does not fit.
public protocol NATSStreamDecoder {
    associatedtype Operation
    /// Adds received bytes.
    mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8
    /// The next complete operation, nil when more bytes are needed.
    mutating func next() throws(NATSProtocolError) -> Operation?
}

extension ClientDecoder: NATSStreamDecoder {}
extension ServerDecoder: NATSStreamDecoder {}
