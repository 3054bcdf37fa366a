import Foundation
import Testing
import TraceTailQuery

/// `tracetail workflow`, `task` and `verify`, run as a user runs them, against the fixture's store
/// and database.
@Suite("Correlation commands")
struct CorrelationCommandTests {
    typealias F = CorrelationFixture

    func run(_ arguments: [String]) async throws -> CommandLineRun {
        let fixture = try await F.shared()
        return try await CommandLineRun.run(arguments + ["--db", fixture.root + "/db.sqlite"], environment: ["NO_COLOR": "1", "TRACETAIL_CORRELATE_TIMEOUT": "60s"])
    }

    @Test("verify: exit 0 on a workflow without error findings and with the expected trace, 1 otherwise")
    func verify() async throws {
        let url = try await F.shared().url
        let clean = try await run(["verify", "--workflow", F.clean.workflow, "--expect-trace", F.clean.dashedTrace, "--correlate", url])
        #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")
        #expect(clean.stdout.hasPrefix("verify workflow \(F.clean.workflow): OK (0 errors, 0 warnings; database: ok)"), "\(clean.stdout)")

        let s = F.scenarios[.taskTraceMissing]!
        let broken = try await run(["verify", "--workflow", s.workflow, "--correlate", url])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("FAIL (1 error, 0 warnings; database: ok)"), "\(broken.stdout)")
        #expect(broken.stdout.contains("ERROR   task_trace_missing: AgentTask \(s.task) has NULL trace_id, span_id, parent_span_id"), "\(broken.stdout)")

        let otherTrace = try await run(["verify", "--workflow", F.clean.workflow, "--expect-trace", F.strayTrace, "--correlate", url])
        #expect(otherTrace.status == 1)
        #expect(otherTrace.stdout.contains("FAIL    expected trace \(F.strayTrace), but the Workflow row stores \(F.clean.trace)"), "\(otherTrace.stdout)")

        // Warnings alone do not fail it; a database that does not answer does.
        let warned = try await run(["verify", "--workflow", F.scenarios[.statusMismatch]!.workflow, "--correlate", url])
        #expect(warned.status == 0, "\(warned.stdout)")
        let down = try await run(["verify", "--workflow", F.clean.workflow, "--correlate", "postgres://readonly@127.0.0.1:\(try CorrelationHTTPTests.closedPort())/app"])
        #expect(down.status == 1)
        #expect(down.stdout.contains("FAIL    database unreachable: cannot connect"), "\(down.stdout)")
    }

    @Test("workflow and task: readable text, and --json is the API's answer")
    func workflowAndTask() async throws {
        let url = try await F.shared().url
        let s = F.scenarios[.taskTraceMissing]!
        let text = try await run(["workflow", s.workflow, "--correlate", url])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "workflow \(s.workflow)  (database: ok)")
        #expect(lines.contains("tasks (1)"))
        #expect(lines.contains("findings (1)"))
        #expect(lines.contains { $0.hasPrefix("trace \(s.trace)") })
        #expect(lines.contains { $0.contains("Model response received") }, "the records follow")

        let json = try await run(["workflow", s.workflow, "--json", "--correlate", url])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Set(body.keys) == ["id", "database", "workflow", "tasks", "trace", "findings"])

        let task = try await run(["task", s.task, "--json", "--correlate", url])
        let taskBody = try #require(try JSONSerialization.jsonObject(with: Data(task.stdout.utf8)) as? [String: Any])
        #expect((taskBody["findings"] as? [[String: Any]])?.first?["kind"] as? String == "task_trace_missing")

        let alone = try await run(["workflow", s.workflow, "--limit", "0"])
        #expect(alone.stdout.hasPrefix("workflow \(s.workflow)  (database: not configured; from the logs alone)"), "\(alone.stdout)")
        let unknown = try await run(["workflow", "no-such-workflow"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no records for workflow id 'no-such-workflow'"), "\(unknown.stderr)")
    }
}
