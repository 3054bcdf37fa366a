import Foundation
import Testing

/// The chaos test's short form: the real daemon, SIGKILLed at random while writers append and
/// files are rotated, truncated and deleted; every record must be stored exactly once. The long
/// form is `swift build -c release && .build/release/tracetail-bench chaos --kills 20`.
@Suite("Chaos (short form)", .serialized)
struct ChaosTests {
    @Test("SIGKILLs, logrotate, rename, flush, delete: nothing lost, nothing twice")
    func exactlyOnce() async throws {
        let bench = DaemonProcess.executable.deletingLastPathComponent().appendingPathComponent("tracetail-bench")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-chaos-\(UUID().uuidString)").path
        let process = Process()
        process.executableURL = bench
        process.arguments = ["chaos", "--kills", "8", "--rate", "4000", "--seed", "3", "--work", work]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = try await offThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("missing 0, duplicated 0"), "\(text)")
        #expect(text.contains("8 SIGKILLs"), "\(text)")
        #expect(text.contains("logrotate") && text.contains("rename") && text.contains("flush"), "\(text)")
    }
}
