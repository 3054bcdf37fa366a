import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer

/// The HTTP contract over real HTTP on 127.0.0.1, on a store filled by the real tailer from real files.
@Suite("HTTP API")
struct APITests {
    static let trace = "ec339c58-031b-4a04-a76e-2fc5fbcaebf5"

    /// Three apps' files with one trace across them, plus noise; read by the tailer into a store.
    static func fixture() async throws -> (SQLiteLogStore, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-api-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        func line(_ time: Int64, _ msg: String, trace: String? = trace, level: Int = 30) -> String {
            let id = trace.map { #""trace_id":"\#($0)","# } ?? ""
            return #"{"level":\#(level),"time":\#(1_782_986_400_000 + time),\#(id)"msg":"\#(msg)"}"# + "\n"
        }
        try (line(0, "workflow created") + line(5, "other", trace: "4bf92f3577b34da6a3ce929d0e0e4736") + line(40, "workflow finished"))
            .write(toFile: logs + "/orchestrator-out.log", atomically: true, encoding: .utf8)
        try (line(10, "task started") + line(30, "task failed", level: 50))
            .write(toFile: logs + "/agent-scaffold-error.log", atomically: true, encoding: .utf8)
        try (line(20, "request \\\"quoted\\\"") + line(21, "no trace", trace: nil))
            .write(toFile: logs + "/api-out-3.log", atomically: true, encoding: .utf8)
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let tailer = DirectoryTailer(configuration: TailerConfiguration(directory: logs, useInotify: false), store: store, logger: logger)
        try await tailer.start()
        _ = try await tailer.drain(now: { 1_782_986_500_000 })
        return (store, root)
    }

    static func json(_ body: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: body)) as! [String: Any]
    }

    @Test("GET /traces/{id}/logs: every record of the trace from every file, in time order")
    func traceLogs() async throws {
        let (store, root) = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            try await client.execute(uri: "/traces/\(Self.trace)/logs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try Self.json(response.body)
                #expect(body["trace_id"] as? String == "ec339c58031b4a04a76e2fc5fbcaebf5")
                #expect(body["count"] as? Int == 5)
                #expect(body["truncated"] as? Bool == false)
                let lines = body["lines"] as! [[String: Any]]
                #expect(lines.map { $0["app"] as? String } == ["orchestrator", "agent-scaffold", "api", "agent-scaffold", "orchestrator"])
                #expect(lines.map { $0["ts"] as? String } == [
                    "2026-07-02T10:00:00.000Z", "2026-07-02T10:00:00.010Z", "2026-07-02T10:00:00.020Z",
                    "2026-07-02T10:00:00.030Z", "2026-07-02T10:00:00.040Z",
                ])
                #expect(lines.map { $0["stream"] as? String } == ["out", "err", "out", "err", "out"])
                #expect(lines[2]["instance"] as? Int == 3)
                #expect(lines[0]["instance"] is NSNull)
                #expect(lines[2]["file"] as? String == "api-out-3.log")
                #expect(lines[3]["level"] as? String == "error")
                #expect(lines[0]["trace_id"] as? String == "ec339c58031b4a04a76e2fc5fbcaebf5")
                #expect((lines[2]["raw"] as? String)?.contains(#""msg":"request \"quoted\"""#) == true)
                for key in ["ts", "app", "stream", "instance", "file", "level", "trace_id", "span_id", "parent_span_id", "msg", "raw"] {
                    #expect(lines.allSatisfy { $0.keys.contains(key) }, "every line has \(key)")
                }
            }
            // The same 128 bits as 32 hex characters in upper case.
            try await client.execute(uri: "/traces/EC339C58031B4A04A76E2FC5FBCAEBF5/logs", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response.body)
                #expect(body["count"] as? Int == 5)
            }
            try await client.execute(uri: "/traces/\(Self.trace)/logs?limit=2", method: .get) { response in
                let body = try Self.json(response.body)
                #expect(body["count"] as? Int == 2)
                #expect(body["truncated"] as? Bool == true)
                let cursor = try #require(body["next_cursor"] as? String)
                try await client.execute(uri: "/traces/\(Self.trace)/logs?limit=10&cursor=\(cursor)", method: .get) { next in
                    let rest = try Self.json(next.body)
                    #expect(rest["count"] as? Int == 3)
                    #expect(rest["truncated"] as? Bool == false)
                }
            }
            try await client.execute(uri: "/traces/\(Self.trace)/logs?format=text", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.split(separator: "\n").count == 5)
                #expect(text.hasPrefix(#"{"level":30,"time":1782986400000,"#))
            }
        }
        try store.close()
    }

    @Test("Unknown ids answer 404, malformed ids and parameters 400, each with a JSON error")
    func errors() async throws {
        let (store, root) = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/traces/0123456789abcdef0123456789abcdef/logs", .notFound, "no records for trace id"),
                ("/traces/abc123/logs", .notFound, "no records for trace id 'abc123'"),
                ("/traces/00000000-0000-0000-0000-000000000000/logs", .badRequest, "malformed trace id"),
                ("/traces/ec339c58-031b-4a04-a76e/logs", .badRequest, "malformed trace id"),
                ("/traces/\(String(repeating: "a", count: 129))/logs", .badRequest, "1 to 128 characters"),
                ("/traces/\(Self.trace)/logs?limit=0", .badRequest, "parameter 'limit'"),
                ("/traces/\(Self.trace)/logs?limit=abc", .badRequest, "parameter 'limit'"),
                ("/traces/\(Self.trace)/logs?level=loud", .badRequest, "parameter 'level'"),
                ("/traces/\(Self.trace)/logs?since=yesterday", .badRequest, "parameter 'since'"),
                ("/traces/\(Self.trace)/logs?cursor=xyz", .badRequest, "parameter 'cursor'"),
                ("/traces/\(Self.trace)/logs?bogus=1", .badRequest, "unknown parameter 'bogus'"),
                ("/nowhere", .notFound, "no such endpoint"),
            ]
            for (uri, status, message) in cases {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    let body = try Self.json(response.body)
                    let error = body["error"] as? String
                    #expect(error?.contains(message) == true, "\(uri): \(error ?? "no error field")")
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        try store.close()
    }
}
