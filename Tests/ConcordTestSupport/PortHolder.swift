import Glibc

/// A loopback TCP port this process holds for a test: bound on port 0 (the kernel picks it), so
/// no other process can take it, and released when the value goes. With `listening`, it accepts
/// nothing but refuses no one: a port that is in use.
public final class PortHolder: Sendable {
    public let port: Int
    private let descriptor: Int32

    public init(listening: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PortHolderError.socket(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, !listening || listen(fd, 1) == 0 else {
            close(fd)
            throw PortHolderError.socket(errno)
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

public enum PortHolderError: Error { case socket(Int32) }
