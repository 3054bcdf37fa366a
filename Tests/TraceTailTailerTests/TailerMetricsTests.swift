import Foundation
import Prometheus
import Testing
import TraceTailCore
import TraceTailTailer

/// The tailer's Prometheus series, read as `/metrics` would print them.
@Suite("Tailer metrics", .serialized)
struct TailerMetricsTests {
    /// The series of one metric: labels text to value.
    static func series(_ registry: PrometheusCollectorRegistry, _ name: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in registry.emitToString().split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }

    @Test("Rotated copies come and go: per-file series follow the files present, totals are kept")
    func retiredFilesSeries() async throws {
        let registry = PrometheusCollectorRegistry()
        let h = try await TailerHarness(metricsFactory: PrometheusMetricsFactory(registry: registry))
        var copies: [String] = []
        var written = 0
        for round in 0..<12 {
            try h.write("worker-out.log", TailerHarness.lines(written..<written + 10))
            written += 10
            try await h.settle()
            // Lines the copy will hold unread: the copy has records of its own.
            try h.write("worker-out.log", TailerHarness.lines(written..<written + 5))
            written += 5
            copies.append(try h.logrotate("worker-out.log", stamp: String(format: "2026-07-%02d_00-00-00", round + 1)))
            // pm2-logrotate keeps two copies and deletes older ones.
            if copies.count > 2 { try FileManager.default.removeItem(atPath: h.path(copies.removeFirst())) }
            try await h.settle()
        }
        #expect(try await h.storedNumbers() == Array(0..<written))
        let records = Self.series(registry, "tracetail_file_records_total")
        // The live file, the two copies present, and the files let go folded into one.
        #expect(records.count <= 4, "\(records.keys.sorted())")
        #expect(records.count >= 3)
        #expect(records.keys.contains { $0.contains(#"file="(retired)""#) })
        #expect(records.values.reduce(0, +) == Double(written))
        #expect(Self.series(registry, "tracetail_file_lag_bytes").count <= 3)
    }

    @Test("A file with no line end: lag is 0 once read, the waiting bytes are pending, not re-read at start")
    func noLineEnd() async throws {
        let registry = PrometheusCollectorRegistry()
        let h = try await TailerHarness(metricsFactory: PrometheusMetricsFactory(registry: registry))
        try h.write("a-out.log", String(repeating: "no line end ", count: 100))
        try h.write("b-out.log", TailerHarness.lines(0..<3))
        try await h.settle()
        let lag = Self.series(registry, "tracetail_file_lag_bytes")
        let pending = Self.series(registry, "tracetail_file_pending_bytes")
        #expect(lag.first { $0.key.contains("a-out.log") }?.value == 0)
        #expect(pending.first { $0.key.contains("a-out.log") }?.value == 1200)
        #expect(pending.first { $0.key.contains("b-out.log") }?.value == 0)
    }
}
