import Foundation
import Testing

/// `ids.*` in a config file, through the real executable: the ingest finds ids where the app's own
/// keys and prose put them, the reading commands use the same settings, and a bad pattern is a
/// config error naming its key.
@Suite("Configured id keys through the command line")
struct ConfiguredIDCommandTests {
    @Test("ids.trace_keys and ids.trace_pattern from the config file find records no built-in key names")
    func configured() async throws {
        let root = try FirstRunTests.temporaryRoot("ids")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        try ([
            #"{"level":30,"time":1782986400000,"req":{"headers":{"x-correlation-id":"\#(trace)"}},"msg":"by header"}"#,
            "charge settled corr=\(trace)",
            #"{"level":30,"time":1782986400002,"msg":"unrelated"}"#,
        ].joined(separator: "\n") + "\n").write(toFile: root + "/logs/app-out.log", atomically: true, encoding: .utf8)
        try """
            ids:
              trace_keys: [req.headers.x-correlation-id]
              trace_pattern: 'corr=([0-9a-f]{32})'

            """.write(toFile: root + "/tracetail.yaml", atomically: true, encoding: .utf8)
        let common = ["--config", root + "/tracetail.yaml", "--logs", root + "/logs", "--db", root + "/db.sqlite"]
        let ingest = try await CommandLineRun.run(["ingest"] + common)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let logs = try await CommandLineRun.run(["logs", "--trace", trace, "--raw"] + common)
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("by header"))
        #expect(logs.stdout.contains("charge settled"))
        #expect(!logs.stdout.contains("unrelated"))

        // The same key from the environment; a pattern that does not compile names its key.
        let bad = try await CommandLineRun.run(["logs", "--trace", trace] + common, environment: ["TRACETAIL_IDS_TRACE_PATTERN": "corr=([0-9a-f]+"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("ids.trace_pattern"), "\(bad.stderr)")
        let none = try await CommandLineRun.run(["logs", "--trace", trace] + common, environment: ["TRACETAIL_IDS_TRACE_PATTERN": "corr=[0-9a-f]+"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("ids.trace_pattern") && none.stderr.contains("capture"), "\(none.stderr)")
    }
}
