import Foundation

/// Ports of 127.0.0.1 for the tests' own servers (PostgreSQL, chromedriver) and for "nothing
/// listens here" cases: a socket bound to port 0, the kernel's choice read back, the socket
/// closed. Another process may take the port before it is used; callers that start a server on
/// it retry with another.
enum FreePort {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
