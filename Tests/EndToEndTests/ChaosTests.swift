import Foundation
import Testing

/// The chaos test's short form: the real daemon, SIGKILLed at random while writers append and
/// files are rotated, truncated and deleted; every record must be stored exactly once. The long
/// form is `swift build -c release && .build/release/tracetail-bench chaos --kills 20`.
@Suite("Chaos (short form)", .serialized)
struct ChaosTests {
    /// What `tracetail-bench chaos --result-file` writes.
    struct Result: Decodable {
        var written: Int
        var stored: Int
        var missing: Int
        var duplicated: Int
        var kills: Int
        var events: [String]
        var integrity: String
    }

    @Test("SIGKILLs, logrotate, rename, flush, delete: written == stored, none missing, none twice")
    func exactlyOnce() async throws {
        let bench = DaemonProcess.executable.deletingLastPathComponent().appendingPathComponent("tracetail-bench")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-chaos-\(UUID().uuidString)").path
        let resultFile = work + "-result.json"
        defer { try? FileManager.default.removeItem(atPath: resultFile) }
        let process = Process()
        process.executableURL = bench
        process.arguments = ["chaos", "--kills", "8", "--rate", "4000", "--seed", "3", "--work", work, "--result-file", resultFile]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = try await offThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: resultFile) else {
            Issue.record("the chaos run wrote no result (exit \(process.terminationStatus)): \(text)")
            return
        }
        let result = try JSONDecoder().decode(Result.self, from: data)
        #expect(result.written > 0, "\(text)")
        #expect(result.stored == result.written, "\(text)")
        #expect(result.missing == 0, "\(text)")
        #expect(result.duplicated == 0, "\(text)")
        #expect(result.kills == 8, "\(text)")
        #expect(["ok", "not checked"].contains(result.integrity), "\(text)")
        for kind in ["logrotate", "rename", "flush"] {
            #expect(result.events.contains { $0.contains(kind) }, "no \(kind) event: \(result.events)")
        }
        #expect(process.terminationStatus == 0, "\(text)")
    }
}
