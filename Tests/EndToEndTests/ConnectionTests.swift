import Foundation
import Logging
import Testing
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer

/// What the server does with connections whatever the clients do: a cap on open connections, a
/// header timeout, an idle timeout, and HTTP/1.0 or `Connection: close` answered then closed.
/// Every test uses raw sockets on 127.0.0.1 against a server of its own, with short timeouts.
@Suite("Connections")
struct ConnectionTests {
    typealias F = SpanFixture

    static func withServer(
        _ configuration: HTTPServerConfiguration, _ body: @escaping @Sendable (RawHTTP) async throws -> Void
    ) async throws {
        let fixture = try await F.make()
        defer {
            try? fixture.store.close()
            try? FileManager.default.removeItem(atPath: fixture.root)
        }
        try await LiveServer.run(configuration, dependencies: APIDependencies(store: fixture.store), body)
    }

    /// Runs blocking socket work on a thread of its own, off the cooperative pool the server uses.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test("a request head that stops half-way is answered 408 and closed by the header timeout")
    func stalledHead() async throws {
        // The idle timeout is far beyond the client's patience: only the header timeout can end it.
        let configuration = HTTPServerConfiguration(idleTimeout: .seconds(3600), headerTimeout: .milliseconds(300))
        try await Self.withServer(configuration) { raw in
            let (answer, ending) = try await raw.exchange(raw: Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".utf8))
            #expect(ending == .closed)
            #expect(answer.status == 408, "\(answer.head)")
            #expect((answer.json["error"] as? String)?.contains("http.header_timeout") == true, "\(answer.body)")
        }
    }

    @Test("a head sent a byte at a time is cut off: the deadline runs from its first byte, not its last")
    func trickledHead() async throws {
        let configuration = HTTPServerConfiguration(idleTimeout: .seconds(3600), headerTimeout: .milliseconds(300))
        try await Self.withServer(configuration) { raw in
            // 20,000 header bytes, one every 20 ms: without a deadline on the whole head this
            // would keep the connection for 400 s; the server must close it long before the end.
            let sent = try await Self.blocking { () -> Int in
                let fd = try raw.connect()
                defer { close(fd) }
                let head = Array(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + String(repeating: "a", count: 20_000)).utf8)
                for (index, byte) in head.enumerated() {
                    if send(fd, [byte], 1, Int32(MSG_NOSIGNAL)) != 1 { return index }
                    var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    if Glibc.poll(&poll, 1, 20) > 0 { return index }  // the server answered (408) or closed
                }
                return head.count
            }
            #expect(sent < 20_000, "the whole head was accepted byte by byte")
        }
    }

    @Test("a request whose body stops half-way is closed by the header timeout")
    func stalledBody() async throws {
        // Hummingbird answers without reading the body, then waits for the rest of it; each body
        // part would count as activity for the idle timeout, so only the header timeout ends it.
        let configuration = HTTPServerConfiguration(idleTimeout: .seconds(3600), headerTimeout: .milliseconds(300))
        try await Self.withServer(configuration) { raw in
            let request = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"
            let (answer, ending) = try await raw.exchange(raw: Array(request.utf8))
            #expect(ending == .closed, "\(answer.head)")
        }
    }

    @Test("a connection without a request is closed by the idle timeout, without an answer")
    func idleConnection() async throws {
        let configuration = HTTPServerConfiguration(idleTimeout: .milliseconds(300), headerTimeout: .seconds(3600))
        try await Self.withServer(configuration) { raw in
            let (answer, ending) = try await raw.exchange(raw: [])
            #expect(ending == .closed)
            #expect(answer.head.isEmpty && answer.body.isEmpty)
            // After an answer, too: a keep-alive connection is closed once it has been idle.
            let (kept, keptEnding) = try await raw.exchange(raw: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(kept.status == 200)
            #expect(keptEnding == .closed)
        }
    }

    @Test("beyond max_connections new connections get 503 and are closed; the admitted ones are still answered")
    func connectionLimit() async throws {
        let configuration = HTTPServerConfiguration(maxConnections: 4)
        try await Self.withServer(configuration) { raw in
            let (outcomes, again) = try await Self.blocking { () -> ([(status: Int?, ending: RawHTTP.Ending)], [Int?]) in
                // Seven connections, all open at once; the server admits four of them (which four
                // depends on its event loops) and keeps them while they are idle.
                let fds = try (0..<7).map { _ in try raw.connect() }
                defer { for fd in fds { close(fd) } }
                let outcomes = fds.map { Self.ask($0) }
                // The admitted connections are still answered, the refused ones stay closed.
                let again = zip(fds, outcomes).filter { $0.1.status == 200 }.map { Self.ask($0.0).status }
                return (outcomes, again)
            }
            let refused = outcomes.filter { $0.status != 200 }
            #expect(outcomes.count - refused.count == 4, "\(outcomes)")
            #expect(again == [200, 200, 200, 200], "\(outcomes)")
            #expect(refused.count == 3, "\(outcomes)")
            for outcome in refused {
                // The 503 is written before the request is read; a reset may overtake it.
                #expect(outcome.status == 503 || (outcome.status == nil && outcome.ending != .stillOpen), "\(outcomes)")
            }
            // Once those are closed, new connections are admitted again.
            var status: Int?
            for _ in 0..<600 where status != 200 {
                status = try await raw.send("GET /healthz HTTP/1.1").status
                if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 200)
        }
    }

    /// Sends a keep-alive `GET /healthz` on `fd` and reads one answer (its body ends with `}`), or
    /// to the end of a connection that is closed.
    static func ask(_ fd: Int32) -> (status: Int?, ending: RawHTTP.Ending) {
        RawHTTP.write(fd, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.contains(UInt8(ascii: "}")) {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                received += buffer[0..<n]
            } else {
                return (RawHTTP.parse(received).status, n == 0 ? .closed : errno == EAGAIN ? .stillOpen : .reset)
            }
        }
        return (RawHTTP.parse(received).status, .stillOpen)
    }

    @Test("HTTP/1.0 is answered as HTTP/1.0 and closed; so is Connection: close in any spelling")
    func closingRequests() async throws {
        try await Self.withServer(HTTPServerConfiguration(idleTimeout: .seconds(3600))) { raw in
            let requests = [
                "GET /healthz HTTP/1.0\r\n\r\n",
                "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: TE, close\r\nTE: trailers\r\n\r\n",
            ]
            for request in requests {
                let (answer, ending) = try await raw.exchange(raw: Array(request.utf8))
                let shown = request.replacingOccurrences(of: "\r\n", with: " | ")
                #expect(answer.status == 200, "\(shown): \(answer.head)")
                #expect(answer.body == #"{"status":"ok"}"#, "\(shown)")
                #expect(answer.head.lowercased().contains("connection: close"), "\(shown): \(answer.head)")
                #expect(ending == .closed, "\(shown)")
                if request.contains("HTTP/1.0") { #expect(answer.head.hasPrefix("HTTP/1.0 200"), "\(answer.head)") }
            }
            // A streamed answer of unknown length is not chunked for HTTP/1.0: it ends with the connection.
            let (stream, ending) = try await raw.exchange(raw: Array("GET /traces/\(F.trace)/logs?format=ndjson HTTP/1.0\r\n\r\n".utf8))
            #expect(stream.status == 200)
            #expect(!stream.head.lowercased().contains("transfer-encoding"), "\(stream.head)")
            #expect(stream.body.split(separator: "\n").count == 7, "\(stream.body)")
            #expect(ending == .closed)
        }
    }

    @Test("a client that reads nothing of a streamed answer is disconnected by the idle timeout")
    func stalledReader() async throws {
        // About 20 MB of ndjson: far more than the socket buffers of both ends can hold.
        let (store, root) = try await F.largeTraceStore(records: 10_000, padding: 1000)
        defer { try? FileManager.default.removeItem(atPath: root) }
        defer { try? store.close() }

        // One connection at most: the stalled one holds the only place until the server drops it.
        let configuration = HTTPServerConfiguration(maxConnections: 1, idleTimeout: .milliseconds(300))
        try await LiveServer.run(configuration, dependencies: APIDependencies(store: store)) { raw in
            // Read in full, the answer has every record (and the chunked body is decoded right).
            let full = try await raw.send("GET /traces/\(F.trace)/logs?limit=10000&format=ndjson HTTP/1.1")
            #expect(full.body.split(separator: "\n").count == 10_000)
            // The previous connection may still hold the only place for a moment after its
            // answer: a stalled request refused with 503 is made again (looked at with MSG_PEEK,
            // so the accepted one stays unread).
            var opened: Int32 = -1
            for _ in 0..<600 {
                let stalled = try raw.connect(receiveBuffer: 4096)
                opened = stalled
                RawHTTP.write(stalled, Array("GET /traces/\(F.trace)/logs?limit=10000&format=ndjson HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                var head = [UInt8](repeating: 0, count: 12)
                var ready = pollfd(fd: stalled, events: Int16(POLLIN), revents: 0)
                let peeked = poll(&ready, 1, 5_000) > 0 ? recv(stalled, &head, head.count, Int32(MSG_PEEK)) : 0
                if peeked == head.count, String(decoding: head, as: UTF8.self) == "HTTP/1.1 503" {
                    close(stalled)
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
                break
            }
            let stalled = opened
            defer { close(stalled) }
            // Without reading a byte of it: new connections are refused until the server has
            // closed the stalled one, then answered.
            var status: Int?
            for _ in 0..<600 where status != 200 {
                status = try await raw.send("GET /healthz HTTP/1.1").status
                if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 200)
            // What reached the client's side before the close is all it gets: a cut answer.
            let (received, ending) = try await Self.blocking { RawHTTP.readToEnd(stalled) }
            #expect(ending != .stillOpen)
            let answer = RawHTTP.parse(received)
            #expect(answer.status == 200)
            #expect(answer.body.split(separator: "\n").count < 10_000)
        }
    }

    @Test("tracetail serve takes the connection limit and timeouts from its configuration file")
    func daemonSettings() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-http-settings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "http:\n  max_connections: 2\n  header_timeout: 300ms\n  idle_timeout: 1h\n".write(toFile: root + "/tracetail.yaml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: [
            "serve", "--config", root + "/tracetail.yaml", "--logs", root + "/logs", "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0",
        ])
        defer { daemon.kill() }
        try await daemon.waitUntilListening()
        let raw = RawHTTP(port: daemon.port)
        let (stalled, ending) = try await raw.exchange(raw: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
        #expect(stalled.status == 408 && ending == .closed, "\(stalled.head)")
        let (statuses, third) = try await Self.blocking { () -> ([Int?], (status: Int?, ending: RawHTTP.Ending)) in
            // Two connections, each shown admitted by an answer, fill the daemon; a third is refused.
            let held = try (0..<2).map { _ in try raw.connect() }
            defer { for fd in held { close(fd) } }
            let statuses = held.map { Self.ask($0).status }
            let fd = try raw.connect()
            defer { close(fd) }
            return (statuses, Self.ask(fd))
        }
        #expect(statuses == [200, 200])
        #expect(third.status == 503 || (third.status == nil && third.ending != .stillOpen), "\(third)")
        #expect(try await daemon.terminate() == 0)
    }

    @Test("the connection limit stays within half the descriptor limit, whatever is configured")
    func limitWithinDescriptors() {
        let configuration = HTTPServerConfiguration(maxConnections: 512)
        #expect(configuration.connectionLimit(descriptorLimit: 20_000) == 512)
        #expect(configuration.connectionLimit(descriptorLimit: 1024) == 512)
        #expect(configuration.connectionLimit(descriptorLimit: 256) == 128)
        #expect(configuration.connectionLimit(descriptorLimit: 1) == 1)
        #expect(configuration.connectionLimit(descriptorLimit: nil) == 512)
        #expect(HTTPServerConfiguration(maxConnections: 100_000).connectionLimit(descriptorLimit: 20_000) == 10_000)
    }
}
