import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer

/// Malformed and hostile requests, sent byte for byte over a socket: each gets a 4xx with a JSON
/// error, never a 5xx, a hang or a crash; and clients that stop reading cannot hold the store.
@Suite("Hostile requests")
struct HostileRequestTests {
    typealias F = SpanFixture

    static let requests: [String] = [
        // Path tricks: the id is percent-decoded, then only ever compared, never used as a path.
        "GET /traces/..%2F..%2Fetc%2Fpasswd/logs HTTP/1.1",
        "GET /traces/../../etc/passwd/logs HTTP/1.1",
        "GET /traces/%2e%2e/logs HTTP/1.1",
        "GET //traces//x//logs HTTP/1.1",
        "GET /traces/x/logs/../../../../etc/passwd HTTP/1.1",
        "GET /traces/%2Fetc%2Fpasswd HTTP/1.1",
        "GET http://evil.example/traces/abc/logs HTTP/1.1",
        // Bad ids.
        "GET /traces/abc%00def/logs HTTP/1.1",
        "GET /traces/%00/logs HTTP/1.1",
        "GET /traces/%E2%9C%93/logs HTTP/1.1",
        "GET /traces/%FF%FE%FD/logs HTTP/1.1",
        "GET /traces/abc%2/logs HTTP/1.1",
        "GET /traces/abc%0D%0AX-Injected:%201/logs HTTP/1.1",
        "GET /traces/%22%3Cscript%3E/logs HTTP/1.1",
        "GET /traces/abc%20def HTTP/1.1",
        "GET /spans/0000000000000000/logs HTTP/1.1",
        "GET /workflows/%27%20OR%201=1%20--/logs HTTP/1.1",
        "GET /traces/" + String(repeating: "a", count: 10_000) + "/logs HTTP/1.1",
        "GET /traces/" + String(repeating: "%41", count: 2_000) + " HTTP/1.1",
        // Huge, many, repeated and oddly encoded parameters.
        "GET /traces/\(F.trace)/logs?q=" + String(repeating: "x", count: 6_000) + " HTTP/1.1",
        "GET /traces/\(F.trace)/logs?limit=" + String(repeating: "9", count: 5_000) + " HTTP/1.1",
        "GET /traces/\(F.trace)/logs?" + (0..<500).map { "a\($0)=1" }.joined(separator: "&") + " HTTP/1.1",
        "GET /traces?" + String(repeating: "app=x&", count: 40) + " HTTP/1.1",
        "GET /traces/\(F.trace)/logs?limit=1&limit=1 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?limit=% HTTP/1.1",
        "GET /traces/\(F.trace)/logs?since=%FF%FE HTTP/1.1",
        "GET /traces/\(F.trace)/logs?%00=1 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?=1 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?limit=%2B5%00 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?cursor=9223372036854775807.9223372036854775807.99999999999999999999 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?since=99999-01-01 HTTP/1.1",
        // Times a zone moves out of the years 0000-9999 (the answer writing one back used to trap).
        "GET /coverage?until=0000-01-01T00:00:00%2B01:00 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?since=0000-01-01T00:00:00+01:00 HTTP/1.1",
        "GET /traces?until=9999-12-31T23:00:00-05:00 HTTP/1.1",
        "GET /traces/\(F.trace)/logs?format=json%00 HTTP/1.1",
        "GET /traces?limit=0x10 HTTP/1.1",
        // Methods nothing is served for.
        "POST /traces/\(F.trace)/logs HTTP/1.1",
        "DELETE /traces/\(F.trace) HTTP/1.1",
        "PUT /healthz HTTP/1.1",
        "PATCH /stats HTTP/1.1",
        "OPTIONS /traces HTTP/1.1",
        // Unknown endpoints (`/` is the page, docs/web.md).
        "GET /ui/missing.js HTTP/1.1",
        "GET /ui/../etc/passwd HTTP/1.1",
        "GET /etc/passwd HTTP/1.1",
        "GET /traces/\(F.trace)/logs.json HTTP/1.1",
    ]

    @Test("every hostile request gets a 4xx with a JSON error naming what was wrong")
    func hostile() async throws {
        try await F.withAPI { client, _ in
            let raw = RawHTTP(port: try #require(client.port))
            for request in Self.requests {
                let answer = try await raw.send(request)
                let shown = String(request.prefix(90))
                let status = try #require(answer.status, "\(shown): no answer: \(answer.head.prefix(200))")
                #expect((400..<500).contains(status), "\(shown): \(status) \(answer.body.prefix(200))")
                #expect(answer.head.lowercased().contains("content-type: application/json"), "\(shown): \(answer.head)")
                let error = answer.json["error"] as? String
                #expect(error?.isEmpty == false, "\(shown): \(answer.body.prefix(200))")
                #expect(!answer.head.contains("X-Injected"), "\(shown)")
            }
            let post = try await raw.send("POST /traces/\(F.trace)/logs HTTP/1.1")
            #expect(post.status == 405)
            #expect((post.json["error"] as? String)?.contains("read-only") == true)
            // Still serving after all of that (on a new connection: the client's own may have
            // idled out while the raw requests ran on a loaded machine).
            #expect(try await raw.send("GET /traces/\(F.trace)/logs HTTP/1.1").status == 200)
        }
    }

    /// What the HTTP parser refuses before any route runs gets its bare 400 (no JSON: no code of
    /// ours sees it); raw bytes and huge request lines a 4xx or a closed connection, never a 5xx.
    @Test("unparseable requests: unknown methods, raw non-ASCII bytes, a request line too long to parse")
    func unparseable() async throws {
        try await F.withAPI { client, _ in
            let raw = RawHTTP(port: try #require(client.port))
            let cases: [[UInt8]] = [
                Array("GET /traces/".utf8) + [0xE2, 0x9C, 0x93] + Array("/logs HTTP/1.1".utf8),
                Array("GET /traces/".utf8) + [0xFF, 0x00, 0x01] + Array("/logs HTTP/1.1".utf8),
                Array(("GET /traces/\(F.trace)/logs?q=" + String(repeating: "x", count: 200_000) + " HTTP/1.1").utf8),
                Array("GET /traces HTTP/9.9".utf8),
            ]
            for request in ["BREW /traces HTTP/1.1", "CONNECT 127.0.0.1:22 HTTP/1.1"] {
                let status = try await raw.send(request).status
                #expect(status.map { (400..<500).contains($0) } == true, "\(request): \(status.map(String.init) ?? "no answer")")
            }
            for bytes in cases {
                let answer = try await raw.send(bytes: bytes)
                if let status = answer.status {
                    #expect((400..<500).contains(status), "\(String(decoding: bytes.prefix(40), as: UTF8.self)): \(status)")
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// Runs blocking socket work on a thread of its own, off the cooperative pool the server uses.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test("clients that stop reading a large answer do not hold the store: others are still answered")
    func stalledClients() async throws {
        let (store, root) = try await F.largeTraceStore(records: 10_000, padding: 400)
        defer { try? FileManager.default.removeItem(atPath: root) }
        defer { try? store.close() }
        var logger = Logger(label: "test")
        logger.logLevel = .warning

        // The test client's connection waits while the stalled answers are prepared: no idle timeout.
        try await LiveClient.test(
            TraceTailAPI.router(APIDependencies(store: store)),
            server: TraceTailAPI.server(HTTPServerConfiguration(idleTimeout: .seconds(3600)), logger: logger).builder) { client in
            let raw = RawHTTP(port: try #require(client.port))
            // More stalled clients than the store has readers (8), each asking for ~5 MB.
            var stalled: [Int32] = []
            defer { for fd in stalled { close(fd) } }
            for format in Array(repeating: "ndjson", count: 8) + Array(repeating: "json", count: 4) + Array(repeating: "text", count: 4) {
                let fd = try raw.connect(receiveBuffer: 4096)
                RawHTTP.write(fd, Array("GET /traces/\(F.trace)/logs?limit=10000&format=\(format) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                stalled.append(fd)
            }
            // Wait until every stalled answer has begun (its page is read and encoding has
            // started): from then on they only wait for their clients, and must hold nothing else.
            let fds = stalled
            let begun = try await Self.blocking {
                fds.map { fd -> Bool in
                    var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    return Glibc.poll(&poll, 1, 300_000) == 1
                }
            }
            #expect(begun.allSatisfy { $0 })
            for _ in 0..<5 {
                try await client.execute(uri: "/traces/\(F.trace)/logs?limit=5", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.object["count"] as? Int == 5)
                }
                try await client.execute(uri: "/traces/\(F.trace)", method: .get) { response in
                    #expect(response.object["records"] as? Int == 10_000)
                }
            }
        }
    }
}
