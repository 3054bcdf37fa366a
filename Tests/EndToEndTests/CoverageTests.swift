import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP
import TraceTailQuery
import TraceTailStore
import TraceTailTailer

/// `GET /coverage` and `tracetail coverage`: where trace context was lost, per app and stream.
@Suite("Coverage")
struct CoverageTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let workflow = "7131ef99-fa7f-4afe-98c4-10a65672cfc2"

    static func line(_ n: Int, trace: String? = trace, workflow: String? = nil, task: String? = nil) -> String {
        var fields = [#""level":30"#, #""time":\#(1_782_986_400_000 + n)"#]
        if let trace { fields.append(#""trace_id":"\#(trace)""#) }
        if let workflow { fields.append(#""workflow_id":"\#(workflow)""#) }
        if let task { fields.append(#""task_id":"\#(task)""#) }
        fields.append(#""msg":"record \#(n)""#)
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    @Test("per app and stream: records, with a trace id, with a workflow or task id but no trace; the apps that lost context first")
    func coverage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-coverage-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // api: 3 traced. orchestrator: 2 traced, 2 with the workflow but no trace, 1 with nothing.
        // agent-deploy (stderr): 1 traced, 3 with a task but no trace; one more record after the window.
        try ((0..<3).map { Self.line($0) }.joined()).write(toFile: logs + "/api-out.log", atomically: true, encoding: .utf8)
        try (Self.line(10) + Self.line(11) + Self.line(12, trace: nil, workflow: Self.workflow) + Self.line(13, trace: nil, workflow: Self.workflow)
            + Self.line(14, trace: nil)).write(toFile: logs + "/orchestrator-out.log", atomically: true, encoding: .utf8)
        try (Self.line(20) + (21..<24).map { Self.line($0, trace: nil, task: "t-7") }.joined() + Self.line(90_000, trace: nil, task: "t-7"))
            .write(toFile: logs + "/agent-deploy-error.log", atomically: true, encoding: .utf8)
        let store = try await SamplesTests.ingest(logs, into: root, now: 1_782_986_500_000)

        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            try await client.execute(uri: "/coverage?until=2026-07-02T10:00:01Z", method: .get) { response in
                #expect(response.status == .ok)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let rows = try #require(body["apps"] as? [[String: Any]])
                let byApp = Dictionary(uniqueKeysWithValues: rows.map { ("\($0["app"]!)/\($0["stream"]!)", $0) })
                #expect(byApp.count == 3)
                #expect(byApp["api/out"]?["records"] as? Int == 3)
                #expect(byApp["api/out"]?["with_trace_id"] as? Int == 3)
                #expect(byApp["orchestrator/out"]?["records"] as? Int == 5)
                #expect(byApp["orchestrator/out"]?["with_trace_id"] as? Int == 2)
                #expect(byApp["orchestrator/out"]?["business_id_without_trace_id"] as? Int == 2)
                #expect(byApp["orchestrator/out"]?["traced_share"] as? Double == 0.4)
                #expect(byApp["agent-deploy/err"]?["records"] as? Int == 4, "the record after the window is not counted")
                #expect(byApp["agent-deploy/err"]?["business_id_without_trace_id"] as? Int == 3)
                #expect(body["lost_context"] as? [String] == ["agent-deploy", "orchestrator"])
            }
            try await client.execute(uri: "/coverage?app=api", method: .get) { response in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect((body["apps"] as? [Any])?.count == 1)
                #expect(body["lost_context"] as? [String] == [])
            }
            try await client.execute(uri: "/coverage?since=2026-07-03T00:00:00Z&until=2026-07-02T00:00:00Z", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
        try store.close()

        let cli = try await CommandLineRun.run(["coverage", "--until", "2026-07-02T10:00:01Z", "--db", root + "/db.sqlite", "--logs", logs])
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("lost trace context first: agent-deploy, orchestrator"), "\(cli.stdout)")
        #expect(cli.stdout.split(separator: "\n").contains { $0.hasPrefix("orchestrator") && $0.hasSuffix("40 %") }, "\(cli.stdout)")
    }

    @Test("include=related adds the records that share the trace's workflow or task ids but carry no trace id, marked related")
    func related() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-related-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The trace's records name the workflow and task t-7; two lines without the trace id name
        // them too (written before the trace id was set); another workflow's line must not come.
        try (Self.line(0, trace: nil, workflow: Self.workflow) + Self.line(1, workflow: Self.workflow) + Self.line(2, trace: nil, workflow: "other-workflow")
            + Self.line(3, task: "t-7") + Self.line(4, trace: nil, task: "t-7") + Self.line(5, trace: "0af7651916cd43dd8448eb211c80319c", task: "t-7"))
            .write(toFile: logs + "/orchestrator-out.log", atomically: true, encoding: .utf8)
        let store = try await SamplesTests.ingest(logs, into: root, now: 1_782_986_500_000)
        defer { try? store.close() }
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            try await client.execute(uri: "/traces/\(Self.trace)/logs", method: .get) { response in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(body["count"] as? Int == 2)
            }
            try await client.execute(uri: "/traces/\(Self.trace)/logs?include=related", method: .get) { response in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let lines = try #require(body["lines"] as? [[String: Any]])
                #expect(lines.map { $0["msg"] as? String } == ["record 0", "record 1", "record 3", "record 4"])
                #expect(lines.map { $0["related"] as? Bool == true } == [true, false, false, true])
            }
            try await client.execute(uri: "/traces/\(Self.trace)/logs?include=related&format=ndjson", method: .get) { response in
                let lines = try String(buffer: response.body).split(separator: "\n").map {
                    try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
                }
                #expect(lines.map { $0["msg"] as? String } == ["record 0", "record 1", "record 3", "record 4"])
                #expect(lines.map { $0["related"] as? Bool == true } == [true, false, false, true])
            }
            try await client.execute(uri: "/traces/\(Self.trace)", method: .get) { response in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let untraced = try #require(body["untraced_records"] as? [[String: Any]])
                #expect(untraced.count == 2, "\(untraced)")
                #expect(untraced.contains { $0["workflow_id"] as? String == Self.workflow && $0["records"] as? Int == 1 })
                #expect(untraced.contains { $0["task_id"] as? String == "t-7" && $0["records"] as? Int == 1 })
            }
            try await client.execute(uri: "/traces/\(Self.trace)/logs?include=everything", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
