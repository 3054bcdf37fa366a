import Foundation
import GRDB
import Testing

/// `tracetail ingest` killed with SIGKILL in the middle of its write transactions: the store is
/// consistent afterwards, and a second run completes it with every record exactly once.
@Suite("Crash during a write", .serialized)
struct CrashTests {
    /// Records the store holds now, read through a read-only connection of the test's own (nil
    /// while the database does not exist yet).
    static func storedRecords(_ database: String) -> Int64? {
        guard FileManager.default.fileExists(atPath: database) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: database, configuration: configuration) else { return nil }
        defer { try? queue.close() }
        return try? queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT coalesce(sum(records), 0) FROM partitions")
        }
    }

    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        let (status, output, _) = try await run(arguments, killAt: nil)
        return (status, output)
    }

    /// Runs the command; with `killAt`, SIGKILLs it as soon as the store holds at least that many
    /// records (a progress signal, not a delay: the machine's speed does not matter). Returns the
    /// count seen when it was killed.
    static func run(_ arguments: [String], killAt: (database: String, records: Int64)?) async throws -> (Int32, String, Int64?) {
        let process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var killedAt: Int64?
        if let killAt {
            // Watched from a thread of its own: on the shared pool, under the whole suite, the
            // watch went unscheduled while the ingest ran to its end (a CI run found the first
            // ingest never killed).
            let pid = process.processIdentifier
            killedAt = try await offThread { () -> Int64? in
                while process.isRunning {
                    if let stored = storedRecords(killAt.database), stored >= killAt.records {
                        kill(pid, SIGKILL)
                        return stored
                    }
                    usleep(5_000)
                }
                return nil
            }
        }
        let (status, text) = try await offThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        return (status, text, killedAt)
    }

    @Test("SIGKILL mid-ingest leaves a consistent store; the next ingest finishes it exactly once")
    func killMidIngest() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let generator = Process()
        generator.executableURL = DaemonProcess.executable.deletingLastPathComponent().appendingPathComponent("tracetail-gen")
        generator.arguments = ["--out", root + "/logs", "--format", "pino", "--records", "150000", "--manifest", root + "/manifest.json"]
        generator.standardOutput = FileHandle.nullDevice
        try generator.run()
        try await offThread { generator.waitUntilExit() }
        let database = root + "/db.sqlite"
        let common = ["--logs", root + "/logs", "--db", database, "--config", root + "/manifest.json.none"]
        _ = FileManager.default.createFile(atPath: root + "/manifest.json.none", contents: Data())
        // Killed a few times as the store grows (while commits are under way), checked each time.
        var killed = 0
        for records: Int64 in [1, 40_000, 80_000] {
            let (status, output, killedAt) = try await Self.run(["ingest"] + common, killAt: (database, records))
            if status == 0 { break }  // finished before the kill: nothing more to test this round
            killed += 1
            // Killed mid-ingest: after the signal, before the end.
            let seen = try #require(killedAt, "ingest ended by itself with status \(status): \(output)")
            #expect(seen >= records && seen < 150_000, "killed at \(seen) records")
            let (checkStatus, check) = try await Self.run(["stats", "--check"] + common)
            #expect(checkStatus == 0, "\(check)")
            #expect(check.contains("check:        ok"), "\(check)")
        }
        #expect(killed >= 1, "the first ingest must be killed once it has stored something")
        let (status, output) = try await Self.run(["ingest"] + common)
        #expect(status == 0, "\(output)")
        let (_, stats) = try await Self.run(["stats", "--check"] + common)
        #expect(stats.contains("records:      150000"), "\(stats)")
        #expect(stats.contains("check:        ok"), "\(stats)")
        // Every trace has exactly the manifest's records.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/manifest.json"))) as! [String: Any]
        let traces = (manifest["traces"] as! [[String: Any]]).prefix(25)
        for trace in traces {
            let id = trace["trace_id"] as! String
            let (_, json) = try await Self.run(["query", "--json", id] + common)
            let answer = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            #expect(answer["count"] as? Int == trace["records"] as? Int, "trace \(id)")
        }
    }
}
