import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailAppDatabase
import TraceTailCore
import TraceTailHTTP
import TraceTailQuery
import TraceTailStore

/// From a Workflow row to its tasks, spans and logs (issue 15): each finding appears where the
/// rows and the logs disagree in its way, and nowhere else; rows read from a real PostgreSQL.
@Suite("Correlation with the application's rows")
struct CorrelationTests {
    @Test("a trace covering two workflows: each workflow's answer lists its own tasks only")
    func twoWorkflowsInOneTrace() async throws {
        // Found by a review: the tasks were taken from every record of the trace, so a batch
        // request (or a client reusing its x-trace-id) listed the other workflow's tasks as this
        // one's, with no AgentTask row.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-twoflows-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        defer { try? store.close() }
        var file = try await store.register(FileState(path: "orchestrator-out.log", app: "orchestrator", stream: .out, instance: nil, device: 1, inode: 1))
        let trace = try #require(TraceID("4bf92f3577b34da6a3ce929d0e0e4736"))
        let first = try #require(BusinessID(.workflow, "7131ef99-fa7f-4afe-98c4-10a65672cfc2"))
        let second = try #require(BusinessID(.workflow, "2b7e1516-28ae-4d2a-a6d2-a6abf7158809"))
        var records: [IndexedRecord] = []
        // t-3's first record names no workflow; a later one names the second.
        let steps: [(BusinessID?, String)] = [(first, "t-1"), (second, "t-2"), (nil, "t-3"), (first, "t-1"), (second, "t-3")]
        for (n, (workflow, task)) in steps.enumerated() {
            records.append(IndexedRecord(
                time: 1_782_986_400_000 + Int64(n), level: .info, startOffset: Int64(n) * 100, endOffset: Int64(n) * 100 + 100,
                trace: trace.key, workflow: workflow?.key, task: try #require(BusinessID(.task, task)).key,
                raw: Array(#"{"msg":"step \#(n)"}"#.utf8)))
        }
        file.offset = 500
        try await store.append(IngestBatch(records: records.map { IngestBatch.Entry(fileID: file.id, record: $0) }, files: [file], storedAt: 1_782_986_400_000))
        let reader = CorrelationReader(store: store, rows: nil)
        let answer = try await reader.workflow(try RequestedID(kind: .workflow, text: first.canonical))
        #expect(answer.tasks.map(\.id) == ["t-1"])
        let other = try await reader.workflow(try RequestedID(kind: .workflow, text: second.canonical))
        #expect(other.tasks.map(\.id) == ["t-2", "t-3"])
    }

    typealias F = CorrelationFixture

    func answer(_ scenario: F.Scenario) async throws -> WorkflowAnswer {
        let fixture = try await F.shared()
        return try await fixture.reader().workflow(RequestedID(kind: .workflow, text: scenario.workflow))
    }

    @Test("a workflow whose rows and logs agree has no finding at all")
    func clean() async throws {
        let answer = try await answer(F.clean)
        #expect(answer.database == .ok)
        #expect(answer.workflow?.id == F.clean.workflow)
        #expect(answer.findings.map(\.message) == [])
        #expect(answer.tasks.map(\.id) == [F.clean.task])
        #expect(answer.tasks.first?.logs.records == 3)
        #expect(answer.trace?.traceID == F.clean.trace)
    }

    @Test("each kind appears on the workflow made to produce it, and on no other", arguments: Finding.Kind.allCases)
    func eachKind(_ kind: Finding.Kind) async throws {
        for scenario in [F.clean] + F.scenarios.values.sorted(by: { $0.number < $1.number }) {
            let kinds = try await answer(scenario).findings.map(\.kind)
            if scenario.kind == kind {
                #expect(kinds.contains(kind), "scenario \(scenario.number): \(kinds)")
            } else {
                #expect(!kinds.contains(kind), "scenario \(scenario.number) (\(scenario.kind?.rawValue ?? "clean")): \(kinds)")
            }
        }
    }

    @Test("task_trace_missing names the values the NULL fields should hold")
    func taskTraceMissing() async throws {
        let s = F.scenarios[.taskTraceMissing]!
        let finding = try #require(try await answer(s).findings.first { $0.kind == .taskTraceMissing })
        #expect(finding.severity == .error)
        #expect(finding.value("task_id") == .text(s.task))
        #expect(finding.value("missing") == .texts(["trace_id", "span_id", "parent_span_id"]))
        #expect(finding.value("expected_trace_id") == .text(s.trace))
        #expect(finding.value("expected_span_id") == .text(s.taskSpan))
        #expect(finding.value("expected_parent_span_id") == .text(s.orchestratorSpan))
        // A task row with NULL fields whose records carry nothing (none at all) is not one.
        let silent = try await answer(F.scenarios[.noLogs]!).findings
        #expect(!silent.contains { $0.kind == .taskTraceMissing })
    }

    @Test("trace_mismatch names the stored and the logged trace; the stored one, unlogged, is not also no_logs")
    func traceMismatch() async throws {
        let s = F.scenarios[.traceMismatch]!
        let findings = try await answer(s).findings
        let finding = try #require(findings.first { $0.kind == .traceMismatch })
        #expect(finding.severity == .error)
        #expect(finding.value("row_trace_id") == .text(F.strayTrace))
        #expect(finding.value("logged_trace_ids") == .texts([s.trace]))
        #expect(!findings.contains { $0.kind == .noLogs && $0.value("field") == .text("trace_id") })
    }

    @Test("custom_trace_ignored: an incoming x-trace-id other than the stored trace; a traceparent of the same trace is not one")
    func customTraceIgnored() async throws {
        let s = F.scenarios[.customTraceIgnored]!
        let findings = try await answer(s).findings.filter { $0.kind == .customTraceIgnored }
        #expect(findings.count == 1)
        #expect(findings.first?.value("header") == .text("x-trace-id"))
        #expect(findings.first?.value("incoming_trace_id") == .text(F.strayTrace))
        #expect(findings.first?.value("stored_trace_id") == .text(s.trace))
        #expect(findings.first?.value("app") == .text("api"))
    }

    @Test("no_logs: a current_span_id and a task id that no record carries")
    func noLogs() async throws {
        let findings = try await answer(F.scenarios[.noLogs]!).findings.filter { $0.kind == .noLogs }
        #expect(Set(findings.compactMap { $0.value("field") }) == [.text("current_span_id"), .text("task_id")])
        #expect(findings.contains { $0.value("task_id") == .text(F.silentTask) })
        #expect(findings.contains { $0.value("span_id") == .text(F.straySpan) })
    }

    @Test("parent_mismatch: the task row's parent span is not in the workflow's trace")
    func parentMismatch() async throws {
        let s = F.scenarios[.parentMismatch]!
        let finding = try #require(try await answer(s).findings.first { $0.kind == .parentMismatch })
        #expect(finding.value("parent_span_id") == .text(F.straySpan))
        #expect(finding.value("trace_id") == .text(s.trace))
    }

    @Test("context_lost counts the untraced records per app, for the workflow and for its task")
    func contextLost() async throws {
        let s = F.scenarios[.contextLost]!
        let findings = try await answer(s).findings.filter { $0.kind == .contextLost }
        #expect(findings.count == 2)
        #expect(findings.contains { $0.value("workflow_id") == .text(s.workflow) && $0.value("app") == .text("orchestrator") && $0.value("records") == .number(2) })
        #expect(findings.contains { $0.value("task_id") == .text(s.task) && $0.value("app") == .text("agent-research") && $0.value("records") == .number(1) })
    }

    @Test("status_mismatch: a workflow that says failed without an error record")
    func statusMismatch() async throws {
        let finding = try #require(try await answer(F.scenarios[.statusMismatch]!).findings.first { $0.kind == .statusMismatch })
        #expect(finding.value("status") == .text("failed"))
        #expect(finding.severity == .warning)
    }

    @Test("a task's answer: its row, its workflow's row, its trace and its own findings")
    func task() async throws {
        let fixture = try await F.shared()
        let s = F.scenarios[.taskTraceMissing]!
        let answer = try await fixture.reader().task(RequestedID(kind: .task, text: s.task))
        #expect(answer.database == .ok)
        #expect(answer.task?.id == s.task)
        #expect(answer.workflow?.id == s.workflow)
        #expect(answer.logs.records == 3)
        #expect(answer.logs.traceIDs == [s.trace])
        #expect(answer.trace?.traceID == s.trace)
        #expect(answer.findings.map(\.kind) == [.taskTraceMissing])
        let clean = try await fixture.reader().task(RequestedID(kind: .task, text: F.clean.task))
        #expect(clean.findings.map(\.message) == [])
    }

    @Test("the reverse direction: the rows that hold a trace id, in any spelling")
    func reverse() async throws {
        let fixture = try await F.shared()
        let (rows, database) = try await fixture.reader().rows(forTrace: try RequestedID(kind: .trace, text: F.clean.dashedTrace.uppercased()))
        #expect(database == .ok)
        #expect(rows.workflows.map(\.id) == [F.clean.workflow])
        #expect(rows.tasks.map(\.id) == [F.clean.task])
    }
}
