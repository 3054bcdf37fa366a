import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every parameter of the logs endpoints, and every one of their errors, over real HTTP.
@Suite("Logs endpoints: parameters")
struct LogsParameterTests {
    typealias F = SpanFixture

    static func messages(_ response: LiveClient.Response) -> [String] {
        (response.object["lines"] as? [[String: Any]] ?? []).compactMap { $0["msg"] as? String }
    }

    @Test("filters: span_id, app, level, since, until, q; and their combination")
    func filters() async throws {
        try await F.withAPI { client, _ in
            let base = "/traces/\(F.trace)/logs"
            let cases: [(String, [String])] = [
                ("", ["workflow created", "task started", "step one", #"request "quoted""#, "task failed", "stderr noise without level", "workflow finished"]),
                ("?span_id=\(F.spanB)", ["task started", "task failed"]),
                ("?span_id=\(F.spanB.uppercased())", ["task started", "task failed"]),
                ("?app=api", [#"request "quoted""#]),
                ("?app=api,orchestrator", ["workflow created", #"request "quoted""#, "workflow finished"]),
                ("?app=api&app=orchestrator", ["workflow created", #"request "quoted""#, "workflow finished"]),
                ("?level=warn", [#"request "quoted""#, "task failed", "stderr noise without level"]),
                ("?level=error", ["task failed", "stderr noise without level"]),
                ("?level=50", ["task failed", "stderr noise without level"]),
                ("?level=debug", ["workflow created", "task started", "step one", #"request "quoted""#, "task failed", "stderr noise without level", "workflow finished"]),
                ("?since=2026-07-02T10:00:00.030Z", ["task failed", "stderr noise without level", "workflow finished"]),
                ("?since=\(F.base + 30)", ["task failed", "stderr noise without level", "workflow finished"]),
                ("?until=2026-07-02T10:00:00.015Z", ["workflow created", "task started", "step one"]),
                ("?since=2026-07-02T12:00:00.010%2B02:00&until=\(F.base + 15)", ["task started", "step one"]),
                ("?q=TASK", ["task started", "task failed"]),
                ("?q=%22quoted%22", [#"request "quoted""#]),
                ("?q=task&app=agent-scaffold&level=error", ["task failed"]),
                ("?app=nobody", []),
            ]
            for (query, expected) in cases {
                try await client.execute(uri: base + query, method: .get) { response in
                    #expect(response.status == .ok, "\(query)")
                    #expect(Self.messages(response) == expected, "\(query)")
                    #expect(response.object["count"] as? Int == expected.count, "\(query)")
                }
            }
        }
    }

    @Test("limit, cursor and order page through every record once, both ways")
    func paging() async throws {
        try await F.withAPI { client, _ in
            let base = "/traces/\(F.trace)/logs"
            for order in ["asc", "desc"] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    let uri = base + "?limit=3&order=\(order)" + (cursor.map { "&cursor=\($0)" } ?? "")
                    cursor = try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .ok)
                        let body = response.object
                        seen += Self.messages(response)
                        let next = body["next_cursor"] as? String
                        #expect((body["truncated"] as? Bool) == (next != nil))
                        return next
                    }
                } while cursor != nil && seen.count < 20
                let ascending = ["workflow created", "task started", "step one", #"request "quoted""#, "task failed", "stderr noise without level", "workflow finished"]
                #expect(seen == (order == "asc" ? ascending : ascending.reversed()), "order \(order)")
            }
        }
    }

    @Test("format: json, ndjson streamed line by line with X-Next-Cursor, text as the raw lines")
    func formats() async throws {
        try await F.withAPI { client, _ in
            let base = "/traces/\(F.trace)/logs"
            try await client.execute(uri: base + "?format=json&limit=1", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(response.object["count"] as? Int == 1)
            }
            try await client.execute(uri: base + "?format=ndjson&limit=4", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                #expect(response.headers[.init("X-Next-Cursor")!] != nil)
                #expect(response.headers[.init("X-Record-Count")!] == "4")
                let lines = response.text.split(separator: "\n")
                #expect(lines.count == 4)
                let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(objects.map { $0["msg"] as? String } == ["workflow created", "task started", "step one", #"request "quoted""#])
                #expect(objects.allSatisfy { $0["trace_id"] as? String == F.traceCanonical })
                #expect(objects[1]["span_id"] as? String == F.spanB)
                #expect(objects[1]["parent_span_id"] as? String == F.spanA)
                #expect(objects[1]["task_id"] as? String == F.task)
            }
            try await client.execute(uri: base + "?format=ndjson", method: .get) { response in
                #expect(response.headers[.init("X-Next-Cursor")!] == nil)
                #expect(response.text.split(separator: "\n").count == 7)
            }
            try await client.execute(uri: base + "?format=text&app=api", method: .get) { response in
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(response.text == F.line(20, #"request \"quoted\""#, level: 40, span: F.spanD, parent: F.missingParent))
            }
        }
    }

    @Test("spans, workflows and tasks: the same answer shape, named by their id; legacy rows reach their logs")
    func otherKinds() async throws {
        try await F.withAPI { client, _ in
            try await client.execute(uri: "/spans/\(F.spanB)/logs", method: .get) { response in
                #expect(response.object["span_id"] as? String == F.spanB)
                #expect(Self.messages(response) == ["task started", "task failed"])
            }
            // The workflow id reaches a record that has no trace id at all.
            try await client.execute(uri: "/workflows/\(F.workflow.uppercased())/logs", method: .get) { response in
                #expect(response.object["workflow_id"] as? String == F.workflow)
                #expect(Self.messages(response) == ["workflow created", "legacy line", "workflow finished"])
                let legacy = (response.object["lines"] as? [[String: Any]])?[1]
                #expect(legacy?["trace_id"] is NSNull)
            }
            try await client.execute(uri: "/workflows/\(F.workflow)/logs?app=api&format=text", method: .get) { response in
                #expect(response.text.contains("legacy line"))
            }
            try await client.execute(uri: "/tasks/\(F.task)/logs?span_id=\(F.spanC)", method: .get) { response in
                #expect(response.object["task_id"] as? String == F.task)
                #expect(Self.messages(response) == ["step one"])
            }
            for uri in ["/spans/ffffffffffffffff/logs", "/workflows/no-such-workflow/logs", "/tasks/no-such-task/logs"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect((response.object["error"] as? String)?.hasPrefix("no records for") == true, "\(uri)")
                }
            }
        }
    }

    @Test("every bad parameter is a 400 naming it")
    func badParameters() async throws {
        try await F.withAPI { client, _ in
            let base = "/traces/\(F.trace)/logs"
            let long = String(repeating: "x", count: 1025)
            let many = (0..<33).map { "app=a\($0)" }.joined(separator: "&")
            let cases: [(String, String)] = [
                ("span_id=a%20b", "parameter 'span_id'"),
                ("span_id=12345678-abcdef01", "parameter 'span_id'"),
                ("span_id=0000000000000000", "parameter 'span_id'"),
                ("level=loud", "parameter 'level'"),
                ("level=", "parameter 'level'"),
                ("since=yesterday", "parameter 'since'"),
                ("until=2026-13-45", "parameter 'until'"),
                // Past year 9999 (a fleet store's timestamps end there): refused, not a 500.
                ("since=9223372036854775807", "parameter 'since'"),
                ("until=253402300800000", "parameter 'until'"),
                ("since=\(F.base + 10)&until=\(F.base)", "'since' is after 'until'"),
                ("q=", "parameter 'q' is empty"),
                ("q=\(long)", "parameter 'q' is longer than 1024 bytes"),
                ("limit=0", "parameter 'limit'"),
                ("limit=10001", "parameter 'limit'"),
                ("limit=-1", "parameter 'limit'"),
                ("limit=1e3", "parameter 'limit'"),
                ("limit=99999999999999999999999", "parameter 'limit'"),
                ("cursor=abc", "parameter 'cursor'"),
                ("cursor=1.2", "parameter 'cursor'"),
                ("cursor=1.-2.3", "parameter 'cursor'"),
                ("cursor=", "parameter 'cursor'"),
                ("cursor=1.2.3.4", "parameter 'cursor'"),
                ("cursor=1..3", "parameter 'cursor'"),
                ("cursor=1.2.99999999999999999999", "parameter 'cursor'"),
                ("cursor=%FF%FE.1.2", "parameter 'cursor'"),
                ("cursor=1.2.3%00", "parameter 'cursor'"),
                ("cursor=1.2.3&cursor=1.2.3", "parameter 'cursor' is given more than once"),
                ("order=sideways", "parameter 'order'"),
                ("format=xml", "parameter 'format'"),
                ("limit=5&limit=6", "parameter 'limit' is given more than once"),
                ("Limit=5", "unknown parameter 'Limit'"),
                ("trace_id=x", "unknown parameter 'trace_id'"),
                (many, "too many query parameters"),
                ("q=" + String(repeating: "y", count: 1000) + "&" + (0..<8).map { "app=" + String(repeating: "z", count: 1000) + "\($0)" }.joined(separator: "&"), "query string is longer than 8192 bytes"),
            ]
            for (query, message) in cases {
                try await client.execute(uri: base + "?" + query, method: .get) { response in
                    #expect(response.status == .badRequest, "\(query.prefix(60))")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let error = response.object["error"] as? String
                    #expect(error?.contains(message) == true, "\(query.prefix(60)): \(error ?? "no error")")
                }
            }
        }
    }
}
