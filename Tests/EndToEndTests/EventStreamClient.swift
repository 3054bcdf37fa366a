import Foundation

/// A Server-Sent Events client over a bare HTTP/1.1 socket: sends one GET, reads the head, takes
/// the chunked body apart and the events out of it, as `EventSource` does (comments kept too).
/// The blocking reads run on a thread of their own, never on the cooperative pool.
final class EventStreamClient: @unchecked Sendable {
    struct Event: Equatable, CustomStringConvertible {
        var id: String?
        var type: String
        var data: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
        }

        var description: String { "[\(type) id=\(id ?? "-")] \(data.prefix(120))" }
    }

    private let fd: Int32
    private var raw: [UInt8] = []  // bytes read, not yet taken apart
    private var body: [UInt8] = []  // de-chunked body, not yet cut into events
    private var pending = (id: String?.none, type: "message", data: [String]())
    private(set) var head: String?
    private(set) var status: Int?
    private(set) var events: [Event] = []
    private(set) var comments: [String] = []
    private(set) var ended = false

    init(port: Int, path: String, headers: [String] = []) throws {
        fd = try RawHTTP(port: port).connect()
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
        RawHTTP.write(fd, Array(request.utf8))
    }

    deinit { close() }

    private var closed = false
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// Reads until `done` says so (given every event so far), the server ends the answer, or
    /// `timeout` seconds pass without it; returns every event so far.
    @discardableResult
    func read(timeout: Int = 30, until done: @escaping @Sendable (EventStreamClient) -> Bool) async throws -> [Event] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try self.readBlocking(timeout: timeout, until: done) })
            }.start()
        }
    }

    private func readBlocking(timeout: Int, until done: (EventStreamClient) -> Bool) throws -> [Event] {
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        var slice = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !done(self) {
            if ended { return events }
            guard Date() < deadline else { throw DaemonError("no end to the wait within \(timeout) s; events: \(events), comments: \(comments.count), head: \(head ?? "none")") }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                raw += buffer[0..<n]
                try takeApart()
            } else if n == 0 {
                ended = true
            } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                ended = true
            }
        }
        return events
    }

    private func takeApart() throws {
        if head == nil {
            guard let end = find([13, 10, 13, 10], in: raw) else { return }
            head = String(decoding: raw[..<end], as: UTF8.self)
            status = head.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
            raw.removeFirst(end + 4)
        }
        let chunked = head?.lowercased().contains("transfer-encoding: chunked") ?? false
        if chunked {
            while let lineEnd = find([13, 10], in: raw) {
                let sizeText = String(decoding: raw[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw DaemonError("bad chunk size line '\(sizeText)'")
                }
                guard raw.count >= lineEnd + 2 + size + 2 else { break }
                body += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
                raw.removeFirst(lineEnd + 2 + size + 2)
                if size == 0 { ended = true }
            }
        } else {
            body += raw
            raw.removeAll()
        }
        // Lines, then events at blank lines (the SSE rules, for LF line ends as the server writes).
        while let newline = body.firstIndex(of: 10) {
            let line = String(decoding: body[..<newline], as: UTF8.self)
            body.removeFirst(newline + 1)
            if line.isEmpty {
                if !pending.data.isEmpty {
                    events.append(Event(id: pending.id, type: pending.type, data: pending.data.joined(separator: "\n")))
                }
                pending = (nil, "message", [])
            } else if line.hasPrefix(":") {
                comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
            } else {
                let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let field = String(parts[0])
                var value = parts.count > 1 ? String(parts[1]) : ""
                if value.hasPrefix(" ") { value.removeFirst() }
                switch field {
                case "id": pending.id = value
                case "event": pending.type = value
                case "data": pending.data.append(value)
                default: break
                }
            }
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    var records: [Event] { events.filter { $0.type == "message" } }
    func count(_ type: String) -> Int { events.filter { $0.type == type }.count }
}
