#if canImport(Glibc)
import Glibc
#endif

/// The HTTP address, checked before the daemon starts, and bind failures said plainly.
enum ListenAddress {
    /// Fails when `host:port` cannot be bound now (in use, not an address of this machine, a
    /// privileged port): `cannot listen on 127.0.0.1:7433: address already in use`. Port 0 asks
    /// the system for a free port and is not checked.
    static func checkFree(host: String, port: Int) throws {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let first = found else {
            throw CLIError("cannot listen on \(host):\(port): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }  // let the server itself say what is wrong
        defer { close(fd) }
        // As the server sets it, so that a port in TIME_WAIT is not mistaken for one in use.
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            throw CLIError("cannot listen on \(host):\(port): \(describe(errno: errno))")
        }
    }

    /// A failure of the service group, as the user should read it: a bind error names the address.
    static func explain(_ error: any Error, host: String, port: Int) -> any Error {
        let text = "\(error)"
        for code in [EADDRINUSE, EACCES, EADDRNOTAVAIL] where text.contains("errno: \(code)") || text.contains(String(cString: strerror(code))) {
            return CLIError("cannot listen on \(host):\(port): \(describe(errno: code))")
        }
        return error
    }

    /// `strerror`, starting in lower case as the rest of a message does.
    static func describe(errno code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
