import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real daemon on a temporary directory: records appended to several files come back over
/// HTTP on 127.0.0.1, in time order, once each, also across a restart.
@Suite("Daemon end to end", .serialized)
struct DaemonTests {
    static let trace = "7131ef99-fa7f-4afe-98c4-10a65672cfc2"

    static func line(_ n: Int, app: String) -> String {
        #"{"level":30,"time":\#(1_782_986_400_000 + n),"pid":1,"hostname":"h","trace_id":"\#(trace)","span_id":"00f067aa0ba902b7","msg":"\#(app) step \#(n)"}"# + "\n"
    }

    static func append(_ path: String, _ text: String) throws {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    /// Polls the trace until it has `count` records (or time runs out); returns the last answer.
    static func waitForTrace(_ daemon: DaemonProcess, count: Int) async throws -> [String: Any] {
        var body: [String: Any] = [:]
        for _ in 0..<200 {
            let (status, answer) = try await daemon.get("/traces/\(trace)/logs")
            body = answer
            if status == 200, answer["count"] as? Int == count { return answer }
            try await Task.sleep(for: .milliseconds(50))
        }
        return body
    }

    @Test("serve: append to several files, read the trace back, restart, nothing twice")
    func serveAppendQuery() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-daemon-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.append(logs + "/orchestrator-out.log", Self.line(0, app: "orchestrator"))
        let arguments = ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0", "--log-level", "info"]

        let daemon = try DaemonProcess(arguments: arguments)
        try await daemon.waitUntilListening()
        #expect(try await daemon.get("/healthz").0 == 200)
        // Interleaved appends to three files, one of them new.
        for n in 1...30 {
            let app = ["orchestrator", "agent-research", "api"][n % 3]
            let file = app == "api" ? "api-out-7.log" : app == "agent-research" ? "agent-research-error.log" : "orchestrator-out.log"
            try Self.append(logs + "/" + file, Self.line(n, app: app))
        }
        let body = try await Self.waitForTrace(daemon, count: 31)
        let lines = try #require(body["lines"] as? [[String: Any]], "answer: \(body), log: \(daemon.log)")
        #expect(lines.count == 31)
        #expect(lines.compactMap { $0["msg"] as? String } == (0...30).map { n in "\(["orchestrator", "agent-research", "api"][n % 3]) step \(n)" })
        #expect(Set(lines.compactMap { $0["file"] as? String }) == ["orchestrator-out.log", "agent-research-error.log", "api-out-7.log"])
        #expect(try await daemon.terminate() == 0)
        #expect(daemon.log.contains("positions committed"))

        // A restart reads nothing twice and picks up what was written while it was down.
        try Self.append(logs + "/orchestrator-out.log", Self.line(31, app: "orchestrator"))
        let again = try DaemonProcess(arguments: arguments)
        try await again.waitUntilListening()
        let after = try await Self.waitForTrace(again, count: 32)
        #expect(after["count"] as? Int == 32)
        let (status, missing) = try await again.get("/traces/0af7651916cd43dd8448eb211c80319c/logs")
        #expect(status == 404)
        #expect(missing["error"] is String)
        #expect(try await again.terminate() == 0)
    }

    @Test("serve without a fleet store: pruning warns of no unshipped records")
    func pruneWithoutShipping() async throws {
        // Found by a review: records are in the shipping ledger whether or not the host ships,
        // never acknowledged when it does not, and every prune of such a host warned that it
        // dropped records the fleet store had not acknowledged.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-prune-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for n in 0..<5 { try Self.append(logs + "/orchestrator-out.log", Self.line(n, app: "orchestrator")) }
        let daemon = try DaemonProcess(
            arguments: ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0", "--log-level", "info"],
            environment: ["TRACETAIL_RETENTION_MAX_AGE": "1s", "TRACETAIL_RETENTION_INTERVAL": "200ms"])
        try await daemon.waitUntilListening()
        for _ in 0..<300 where !daemon.log.contains("pruned") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(daemon.log.contains("pruned"), "\(daemon.log)")
        #expect(daemon.log.contains("records=5"), "\(daemon.log)")
        #expect(!daemon.log.contains("had not acknowledged"), "\(daemon.log)")
        let metrics = try await daemon.text("/metrics").1
        #expect(!metrics.split(separator: "\n").contains { $0.hasPrefix("tracetail_pruned_unshipped_records_total") && !$0.hasSuffix(" 0") },
                "\(metrics)")
        #expect(try await daemon.terminate() == 0)
    }

    @Test("a file the daemon cannot read: /readyz and /metrics count it, the log names it; once readable it is read")
    func unreadableFile() async throws {
        // Found by a review: a file that could not be opened was logged once and nowhere else;
        // /readyz said ready and no metric counted it, while none of its lines were stored.
        // Permissions do not stop root: as root the daemon runs as nobody (setpriv, util-linux),
        // from a copy of it in /tmp (the build tree or $TMPDIR may be where nobody cannot go).
        let asRoot = getuid() == 0
        let setpriv = "/usr/bin/setpriv"
        if asRoot, !FileManager.default.isExecutableFile(atPath: setpriv) {
            Issue.record("run as root, this test needs setpriv to run the daemon as nobody: apt-get install util-linux")
            return
        }
        let root = (asRoot ? "/tmp" : FileManager.default.temporaryDirectory.path) + "/tracetail-unreadable-\(UUID().uuidString)"
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.append(logs + "/api-out.log", Self.line(0, app: "api"))
        try Self.append(logs + "/worker-out.log", Self.line(1, app: "worker"))
        for directory in [root, logs] { try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: logs + "/api-out.log")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: logs + "/worker-out.log")
        var executable = DaemonProcess.executable
        if asRoot {
            executable = URL(fileURLWithPath: root + "/tracetail")
            try FileManager.default.copyItem(at: DaemonProcess.executable, to: executable)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable.path)
        }
        let daemon = try DaemonProcess(
            arguments: ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0", "--log-level", "info"],
            launcher: asRoot ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] : [], executable: executable)
        try await daemon.waitUntilListening()
        var ready: [String: Any] = [:]
        for _ in 0..<200 {
            let (status, body) = try await daemon.get("/readyz")
            ready = body
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(ready["ready"] as? Bool == true, "\(ready) \(daemon.log)")
        #expect(ready["unreadable_files"] as? Int == 1, "\(ready)")
        #expect(daemon.log.contains("worker-out.log"), "\(daemon.log)")
        func metric() async throws -> Double? {
            let line = try await daemon.text("/metrics").1.split(separator: "\n").first { $0.hasPrefix("tracetail_unreadable_files ") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(try await metric() == 1)
        #expect(try await Self.waitForTrace(daemon, count: 1)["count"] as? Int == 1)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: logs + "/worker-out.log")
        #expect(try await Self.waitForTrace(daemon, count: 2)["count"] as? Int == 2, "\(daemon.log)")
        for _ in 0..<100 where try await daemon.get("/readyz").1["unreadable_files"] as? Int != 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await daemon.get("/readyz").1["unreadable_files"] as? Int == 0)
        #expect(daemon.log.contains("file readable again"), "\(daemon.log)")
        #expect(try await daemon.terminate() == 0)
    }

    @Test("a fleet store that cannot be reached: /readyz stays ready and says so (ship_connected 0, failures)")
    func unreachableFleetInReadiness() async throws {
        // Found by a review: a dead fleet database showed in /stats and /metrics, not in /readyz.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-fleetdown-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.append(logs + "/api-out.log", Self.line(0, app: "api"))
        // A port nothing listens on: bound, then closed.
        let port = try FreePort.pick()
        let daemon = try DaemonProcess(arguments: [
            "serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0", "--log-level", "info",
            "--ship-to", "postgres://tracetail@127.0.0.1:\(port)/fleet",
        ])
        try await daemon.waitUntilListening()
        var body: [String: Any] = [:]
        // The first round fails after its 15 s limit (postgres-nio's pool waits for a server).
        for _ in 0..<800 {
            let (status, answer) = try await daemon.get("/readyz")
            body = answer
            if status == 200, answer["ship_failures"] as? Int ?? 0 > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(body["ready"] as? Bool == true, "\(body)")
        #expect(body["ship_connected"] as? Int == 0, "\(body)")
        #expect(body["ship_failures"] as? Int ?? 0 > 0, "\(body)")
        #expect(try await daemon.terminate() == 0)
    }

    /// The daemon's threads: id, name and nice value, from /proc.
    static func threads(of pid: Int32) -> [(tid: Int32, name: String, nice: Int)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { tid in
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let id = Int32(tid)
            else { return nil }
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
            return (id, comm.trimmingCharacters(in: .whitespacesAndNewlines), nice)
        }
    }

    @Test("serve answers queries on threads below ingest's priority (http.query_nice), and no other thread is lowered")
    func queryPriority() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-daemon-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.append(logs + "/orchestrator-out.log", Self.line(0, app: "orchestrator"))
        for (setting, expected) in [(nil, 5), ("0", 0), ("12", 12)] as [(String?, Int)] {
            var arguments = ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0"]
            if let setting {
                try "http:\n  query_nice: \(setting)\n".write(toFile: root + "/config.yaml", atomically: true, encoding: .utf8)
                arguments += ["--config", root + "/config.yaml"]
            }
            let daemon = try DaemonProcess(arguments: arguments)
            try await daemon.waitUntilListening()
            let pid = daemon.process.processIdentifier
            // The main thread's nice value is the process's as started. (libdispatch gives its
            // own workers values by quality of service, lower ones when it may.)
            let main = try #require(Self.threads(of: pid).first { $0.tid == pid }).nice
            #expect(Self.threads(of: pid).allSatisfy { $0.name != "tracetail-query" }, "no query thread before the first query")
            // Several queries at once, so that more than one query thread starts.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await Self.waitForTrace(daemon, count: 1) } }
                try await group.waitForAll()
            }
            let all = Self.threads(of: pid)
            let query = all.filter { $0.name == "tracetail-query" }
            #expect(!query.isEmpty, "threads: \(all)")
            #expect(query.allSatisfy { $0.nice == min(19, main + expected) }, "setting \(setting ?? "default"): \(all)")
            // No other thread inherited it (libdispatch gives its workers values of its own by
            // quality of service: -4, -2, 0 and 10; 5 and 12 are not among them).
            if expected > 0 {
                #expect(all.filter { $0.name != "tracetail-query" }.allSatisfy { $0.nice != min(19, main + expected) }, "setting \(setting ?? "default"): \(all)")
            }
            #expect(try await daemon.terminate() == 0)
        }
    }
}
