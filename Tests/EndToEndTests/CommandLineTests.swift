import Foundation
import Logging
import Testing
import TraceTailTailer

/// `tracetail trace`, `logs` and `tail`: the real executable on a real store.
@Suite("Command line", .serialized)
struct CommandLineTests {
    typealias F = SpanFixture

    @Test("trace: the span tree, then the records, without colour when not on a terminal; --json is the API's")
    func trace() async throws {
        let fixture = try await F.make()
        defer { try? fixture.store.close(); try? FileManager.default.removeItem(atPath: fixture.root) }
        let run = try await CommandLineRun.run(["trace", F.trace.uppercased(), "--db", fixture.database])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "trace \(F.traceCanonical)")
        #expect(lines.contains("  7 records, 2 errors, apps: agent-scaffold, api, orchestrator"))
        #expect(lines.contains("  levels: debug 1, info 3, warn 1, error 2"))
        #expect(lines.contains { $0.hasPrefix("├─ \(F.spanA) orchestrator 2 records 2026-07-02T10:00:00.000Z +40 ms") })
        #expect(lines.contains { $0.hasPrefix("│  └─ \(F.spanB) agent-scaffold 2 records 1 error ") })
        #expect(lines.contains { $0.hasPrefix("│     └─ \(F.spanC) agent-scaffold 1 record ") })
        #expect(lines.contains { $0.hasPrefix("└─ \(F.spanD) api 1 record ") && $0.hasSuffix("(parent \(F.missingParent))") })
        #expect(lines.contains("   1 record without a span"))
        #expect(lines.contains("2026-07-02T10:00:00.030Z agent-scaffold/err     ERROR task failed"))
        #expect(lines.contains(#"2026-07-02T10:00:00.020Z api#3/out              WARN  request "quoted""#))
        #expect(!run.stdout.contains("\u{1B}["))

        let json = try await CommandLineRun.run(["trace", F.trace, "--json", "--db", fixture.database])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["trace_id"] as? String == F.traceCanonical)
        #expect(object?["records"] as? Int == 7)
        #expect((object?["spans"] as? [Any])?.count == 2)

        let unknown = try await CommandLineRun.run(["trace", F.other.replacingOccurrences(of: "0af7", with: "0af8"), "--db", fixture.database])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no records for trace id"))
        let malformed = try await CommandLineRun.run(["trace", "00000000-0000-0000-0000-000000000000", "--db", fixture.database])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("malformed trace id"))
        let missing = try await CommandLineRun.run(["trace", F.trace, "--db", fixture.root + "/nothing.sqlite"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/nothing.sqlite"))
    }

    @Test("output that cannot be written (a full disk): status 1 and a message")
    func unwritableOutput() async throws {
        // Found by a review: a failed write stopped the output and the command exited 0.
        let fixture = try await F.make()
        defer { try? fixture.store.close(); try? FileManager.default.removeItem(atPath: fixture.root) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let errors = fixture.root + "/stderr.txt"
        process.arguments = ["-c", "'\(DaemonProcess.executable.path)' logs --trace \(F.trace) --db '\(fixture.database)' > /dev/full 2> '\(errors)'"]
        try process.run()
        try await offThread { process.waitUntilExit() }
        #expect(process.terminationStatus == 1)
        let stderr = String(decoding: FileManager.default.contents(atPath: errors) ?? Data(), as: UTF8.self)
        #expect(stderr.contains("cannot write the output: No space left on device"), "\(stderr)")
    }

    @Test("logs: by workflow, task, span or trace, with the API's filters, paging, --json and --raw")
    func logs() async throws {
        let fixture = try await F.make()
        defer { try? fixture.store.close(); try? FileManager.default.removeItem(atPath: fixture.root) }
        let db = ["--db", fixture.database]
        let workflow = try await CommandLineRun.run(["logs", "--workflow", F.workflow] + db)
        // Columns: time (24), source (22), level (5), then the message.
        #expect(workflow.stdout.split(separator: "\n").map { String($0.dropFirst(54)) } == [
            "workflow created", "legacy line", "workflow finished",
        ])
        let task = try await CommandLineRun.run(["logs", "--task", F.task, "--level", "error"] + db)
        #expect(task.stdout == "2026-07-02T10:00:00.030Z agent-scaffold/err     ERROR task failed\n")
        let span = try await CommandLineRun.run(["logs", "--span", F.spanB, "--json"] + db)
        let object = try JSONSerialization.jsonObject(with: Data(span.stdout.utf8)) as? [String: Any]
        #expect(object?["span_id"] as? String == F.spanB)
        #expect(object?["count"] as? Int == 2)
        let raw = try await CommandLineRun.run(["logs", "--trace", F.trace, "--app", "api", "--raw"] + db)
        #expect(raw.stdout == F.line(20, #"request \"quoted\""#, level: 40, span: F.spanD, parent: F.missingParent))
        let window = try await CommandLineRun.run(
            ["logs", "--trace", F.trace, "--since", "2026-07-02T10:00:00.015Z", "--until", "\(F.base + 30)", "--grep", "QUOTED"] + db)
        #expect(window.stdout == #"2026-07-02T10:00:00.020Z api#3/out              WARN  request "quoted""# + "\n")

        let first = try await CommandLineRun.run(["logs", "--trace", F.trace, "--limit", "5"] + db)
        let last = try #require(first.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("... more records: add --cursor "))
        let cursor = String(last.split(separator: " ").last!)
        let rest = try await CommandLineRun.run(["logs", "--trace", F.trace, "--cursor", cursor] + db)
        #expect(rest.stdout.split(separator: "\n").count == 2)

        let two = try await CommandLineRun.run(["logs", "--trace", F.trace, "--task", F.task] + db)
        #expect(two.status != 0)
        #expect(two.stderr.contains("give exactly one id: a trace id alone, or one of --trace, --span, --workflow, --task"))
        let twoTraces = try await CommandLineRun.run(["logs", F.trace, "--trace", F.trace] + db)
        #expect(twoTraces.status != 0)
        // A trace id alone is --trace; `query` is another name for logs.
        let alone = try await CommandLineRun.run(["logs", F.trace] + db)
        let named = try await CommandLineRun.run(["logs", "--trace", F.trace] + db)
        #expect(alone.status == 0 && !alone.stdout.isEmpty && alone.stdout == named.stdout)
        #expect(try await CommandLineRun.run(["query", F.trace, "--json"] + db).stdout
            == (try await CommandLineRun.run(["logs", "--trace", F.trace, "--json"] + db)).stdout)
        let badLevel = try await CommandLineRun.run(["logs", "--trace", F.trace, "--level", "loud"] + db)
        #expect(badLevel.status == 1)
        #expect(badLevel.stderr.contains("parameter 'level'"))
        let none = try await CommandLineRun.run(["logs", "--workflow", "no-such-workflow"] + db)
        #expect(none.status == 1)
        #expect(none.stderr.contains("no records for workflow id 'no-such-workflow'"))
    }

    @Test("tail --trace: prints the trace, then records as they are stored, until SIGINT")
    func tail() async throws {
        let fixture = try await F.make()
        defer { try? fixture.store.close(); try? FileManager.default.removeItem(atPath: fixture.root) }
        let tail = try FollowingProcess(["tail", "--trace", F.trace, "--db", fixture.database])
        defer { tail.kill() }
        try await tail.waitForOutput { $0.split(separator: "\n").count >= 7 }
        // Two records arrive: one later than all, one a little earlier than the newest shown.
        let handle = try #require(FileHandle(forWritingAtPath: fixture.logs + "/api-out-3.log"))
        handle.seekToEndOfFile()
        handle.write(Data((F.line(50, "late arrival") + F.line(38, "slightly behind")).utf8))
        handle.closeFile()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let tailer = DirectoryTailer(configuration: TailerConfiguration(directory: fixture.logs, useInotify: false), store: fixture.store, logger: logger)
        try await tailer.start()
        _ = try await tailer.drain(now: { F.base + 200_000 })
        try await tail.waitForOutput { $0.contains("late arrival") && $0.contains("slightly behind") }
        kill(tail.process.processIdentifier, SIGINT)
        #expect(try await tail.exitStatus() == 0)
        let lines = tail.output.split(separator: "\n")
        #expect(lines.count == 9)
        #expect(lines.filter { $0.hasSuffix("workflow finished") }.count == 1)
    }
}
