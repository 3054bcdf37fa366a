import Foundation

/// A bare HTTP/1.1 client over a POSIX socket on 127.0.0.1, for requests no ordinary client
/// sends: odd methods, raw bytes in the path, huge request lines, stalled readers.
struct RawHTTP {
    struct Answer {
        var status: Int?
        var head: String
        var body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    let port: Int

    /// Opens a connection; the caller closes it.
    func connect(receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonError("socket: \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        // Generous: when the whole suite runs in parallel on two cores, other tests can hold the
        // cooperative pool (where the server's handlers run) for seconds.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw DaemonError("connect: \(errno)") }
        return fd
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    /// Sends a request line (and headers) as given, with `Connection: close`, and reads the answer.
    func send(_ requestLine: String, headers: [String] = []) async throws -> Answer {
        try await send(bytes: Array(requestLine.utf8), headers: headers)
    }

    /// The blocking socket calls run on a thread of their own: on the cooperative pool they could
    /// starve the very server they wait for.
    func send(bytes requestLine: [UInt8], headers: [String] = []) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try exchange(requestLine, headers: headers) })
            }.start()
        }
    }

    private func exchange(_ requestLine: [UInt8], headers: [String]) throws -> Answer {
        let fd = try connect()
        defer { close(fd) }
        var request = requestLine
        request += Array(("\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n").utf8)
        Self.write(fd, request)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            received += buffer[0..<n]
        }
        return Self.parse(received)
    }

    /// How a connection ended for the client reading it.
    enum Ending: Equatable {
        /// The server closed it (end of stream).
        case closed
        /// The server reset it (a close with unread input).
        case reset
        /// Nothing came for the receive timeout: the server still holds it open.
        case stillOpen
    }

    /// Sends `bytes` exactly as given on a new connection, then reads until the server ends the
    /// connection or stays silent for `silence` seconds (on a thread of its own).
    func exchange(raw bytes: [UInt8], silence: Int = 60) async throws -> (answer: Answer, ending: Ending) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let fd = try connect()
                    defer { close(fd) }
                    Self.write(fd, bytes)
                    let (received, ending) = Self.readToEnd(fd, silence: silence)
                    return (Self.parse(received), ending)
                })
            }.start()
        }
    }

    /// Reads until end of stream, a reset, or `silence` seconds without a byte. Blocking.
    static func readToEnd(_ fd: Int32, silence: Int = 60) -> ([UInt8], Ending) {
        var timeout = timeval(tv_sec: silence, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                received += buffer[0..<n]
            } else if n == 0 {
                return (received, .closed)
            } else if errno == EINTR {
                continue
            } else {
                return (received, errno == EAGAIN || errno == EWOULDBLOCK ? .stillOpen : .reset)
            }
        }
    }

    static func parse(_ bytes: [UInt8]) -> Answer {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return Answer(status: nil, head: text, body: "") }
        let head = String(text[..<split.lowerBound])
        var body = String(text[split.upperBound...])
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        if head.lowercased().contains("transfer-encoding: chunked") {
            var decoded = ""
            var rest = Substring(body)
            while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
                let start = line.upperBound
                let end = rest.utf8.index(start, offsetBy: size, limitedBy: rest.endIndex) ?? rest.endIndex
                decoded += rest[start..<end]
                rest = rest[end...]
                if rest.hasPrefix("\r\n") { rest = rest.dropFirst() }  // one Character: "\r\n" is a grapheme
            }
            body = decoded
        }
        return Answer(status: status, head: head, body: body)
    }
}
