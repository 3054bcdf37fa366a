import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP

/// `HEAD` is `GET` without the body, on every path; `/readyz` says what is wrong in its own words.
@Suite("HEAD and readiness")
struct HeadAndReadinessTests {
    typealias F = SpanFixture

    @Test("HEAD gives GET's status and headers without a body, on known paths, unknown ids and unknown paths")
    func head() async throws {
        try await F.withAPI { client, _ in
            let raw = RawHTTP(port: try #require(client.port))
            let paths = [
                "/healthz", "/stats", "/traces", "/traces/\(F.trace)", "/traces/\(F.trace)/logs",
                "/traces/\(F.trace)/logs?format=text", "/traces/\(F.trace)/logs?format=ndjson", "/traces/\(F.trace)/logs?limit=0",
                "/traces/\(F.other.reversed().map(String.init).joined())/logs", "/no/such/endpoint",
            ]
            for path in paths {
                let get = try await raw.exchange(raw: Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)).answer
                let head = try await raw.exchange(raw: Array("HEAD \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)).answer
                let getStatus = try #require(get.status, "\(path)")
                #expect(head.status == getStatus, "\(path): HEAD \(head.status.map(String.init) ?? "none"), GET \(getStatus)")
                #expect(head.body.isEmpty, "\(path): \(head.body.prefix(100))")
                #expect(Self.header("content-type", in: head.head) == Self.header("content-type", in: get.head), "\(path)")
                // The length of what GET would send (an error message names the method, so the
                // 404 of an unknown path is one byte longer for HEAD).
                if let length = Self.header("content-length", in: get.head), !get.body.contains("GET") {
                    #expect(Self.header("content-length", in: head.head) == length, "\(path): \(head.head)")
                }
                #expect((Self.header("content-length", in: head.head) == nil) == (Self.header("content-length", in: get.head) == nil), "\(path): \(head.head)")
            }
        }
    }

    @Test("after a HEAD answer the connection stays in step: the next answer on it is whole")
    func headKeepsConnection() async throws {
        try await F.withAPI { client, _ in
            let raw = RawHTTP(port: try #require(client.port))
            let requests = "HEAD /traces/\(F.trace)/logs HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /traces/\(F.trace)/logs?format=ndjson HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /no/such HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let (answer, ending) = try await raw.exchange(raw: Array(requests.utf8))
            let text = answer.head + "\r\n\r\n" + answer.body
            let heads = text.components(separatedBy: "\r\n\r\n")
            #expect(heads.count == 5, "\(text)")
            #expect(heads.first?.hasPrefix("HTTP/1.1 200") == true, "\(text)")
            #expect(heads.dropFirst().first?.hasPrefix("HTTP/1.1 200") == true, "\(text)")
            #expect(heads.dropFirst(2).first?.hasPrefix("HTTP/1.1 404") == true, "\(text)")
            #expect(heads.dropFirst(3).first?.hasPrefix("HTTP/1.1 200") == true, "\(text)")
            #expect(heads.last == #"{"status":"ok"}"#, "\(text)")
            #expect(ending == .closed)
        }
    }

    @Test("other methods are 405 with Allow: GET, HEAD")
    func methodNotAllowed() async throws {
        try await F.withAPI { client, _ in
            let raw = RawHTTP(port: try #require(client.port))
            for request in ["POST /traces HTTP/1.1", "DELETE /traces/\(F.trace) HTTP/1.1", "PUT /no/such HTTP/1.1"] {
                let answer = try await raw.send(request)
                #expect(answer.status == 405, "\(request)")
                #expect(Self.header("allow", in: answer.head) == "GET, HEAD", "\(request): \(answer.head)")
            }
        }
    }

    @Test("/readyz: ready, or 503 naming what is wrong without the store's own error")
    func readiness() async throws {
        let fixture = try await F.make()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let tailerRunning = Flag(true)
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(
            store: fixture.store,
            readiness: { tailerRunning.value ? Readiness(ready: true) : Readiness(ready: false, reason: "tailer not running") }))) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["ready"] as? Bool == true)
            }
            tailerRunning.value = false
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.object["ready"] as? Bool == false)
                #expect(response.object["reason"] as? String == "tailer not running")
            }
            // The database closed under the server: every read now fails inside SQLite.
            try fixture.store.close()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.object["ready"] as? Bool == false)
                #expect(response.object["reason"] as? String == "store unreadable, tailer not running")
                let text = response.text.lowercased()
                for leak in ["sqlite", "closed", "misuse", "database", fixture.root.lowercased()] {
                    #expect(!text.contains(leak), "\(leak): \(response.text)")
                }
            }
            tailerRunning.value = true
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.object["reason"] as? String == "store unreadable")
                #expect((response.object["error"] as? String)?.contains("store unreadable") == true)
            }
        }
    }

    static func header(_ name: String, in head: String) -> String? {
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}

/// A flag the test flips while the server reads it.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Bool
    init(_ value: Bool) { stored = value }
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
