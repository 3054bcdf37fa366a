import Foundation
import Testing

/// `/metrics` of the real daemon (swift-prometheus bootstrapped): query latency per endpoint,
/// request counts by status, and the store's size refreshed when served.
@Suite("Metrics", .serialized)
struct MetricsTests {
    @Test("per-endpoint latency histograms, request counters and store gauges")
    func metrics() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-metrics-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try (SpanFixture.line(0, "one", span: SpanFixture.spanA) + SpanFixture.line(1, "two", span: SpanFixture.spanB, parent: SpanFixture.spanA))
            .write(toFile: logs + "/orchestrator-out.log", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0"])
        defer { daemon.kill() }
        try await daemon.waitUntilListening()
        for _ in 0..<100 {
            if try await daemon.get("/traces/\(SpanFixture.trace)/logs").0 == 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await daemon.get("/traces/\(SpanFixture.trace)").0 == 200)
        #expect(try await daemon.get("/traces").0 == 200)
        #expect(try await daemon.get("/traces?limit=0").0 == 400)
        let (status, text) = try await daemon.text("/metrics")
        #expect(status == 200)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"tracetail_query_duration_seconds_count{endpoint="trace"} 1"#), "no trace latency count")
        #expect(lines.contains(#"tracetail_query_duration_seconds_count{endpoint="traces"} 2"#))
        #expect(lines.contains { $0.hasPrefix(#"tracetail_query_duration_seconds_bucket{endpoint="trace_logs",le="0.001"}"#) })
        #expect(lines.contains(#"tracetail_http_requests_total{endpoint="traces",status="2xx"} 1"#))
        #expect(lines.contains(#"tracetail_http_requests_total{endpoint="traces",status="4xx"} 1"#))
        #expect(lines.contains("tracetail_store_records 2.0"))
        #expect(lines.contains { $0.hasPrefix("tracetail_store_file_bytes ") && $0 != "tracetail_store_file_bytes 0.0" })
        #expect(lines.contains { $0.hasPrefix("tracetail_store_newest_record_timestamp_seconds 1782986400.") })
        #expect(try await daemon.terminate() == 0)
    }
}
