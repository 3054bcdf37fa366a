import Foundation
import Testing

/// `tracetail ingest` killed with SIGKILL in the middle of its write transactions: the store is
/// consistent afterwards, and a second run completes it with every record exactly once.
@Suite("Crash during a write", .serialized)
struct CrashTests {
    static func run(_ arguments: [String], killAfter: Duration? = nil) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        if let killAfter {
            try await Task.sleep(for: killAfter)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        return try await offThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
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
        FileManager.default.createFile(atPath: root + "/manifest.json.none", contents: Data())
        // Killed a few times at different moments, checked each time.
        var killed = 0
        for delay in [300, 700, 1100] {
            let (status, _) = try await Self.run(["ingest"] + common, killAfter: .milliseconds(delay))
            if status == 0 { break }  // finished before the kill: nothing more to test this round
            killed += 1
            let (checkStatus, check) = try await Self.run(["stats", "--check"] + common)
            #expect(checkStatus == 0, "\(check)")
            #expect(check.contains("check:        ok"), "\(check)")
        }
        #expect(killed >= 1, "the first ingest must still be running 300 ms in")
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
