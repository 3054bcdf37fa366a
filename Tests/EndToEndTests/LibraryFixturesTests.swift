import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TraceTailCore
import TraceTailHTTP

/// The records real logging libraries wrote (`Tests/Fixtures/libraries`: winston, pino, bunyan, ECS
/// formats, with OpenTelemetry's ids), read by the real tailer into a real store and asked for over
/// HTTP: every trace of `truth.json` comes back with exactly its records, and no untraced one.
@Suite("Library fixtures through the API")
struct LibraryFixturesTests {
    struct Truth: Decodable {
        struct Record: Decodable, Hashable {
            var file: String
            var first_line: String
        }
        struct Trace: Decodable {
            var spellings: [String]
            var count: Int
            var records: [Record]
        }
        var traces: [String: Trace]
        var noise: [Record]
    }

    static let fixtures = SamplesTests.repository.appendingPathComponent("Tests/Fixtures/libraries")
    /// 2026-11-29T21:36:23Z: five minutes after the fixtures were written.
    static let readTime: Int64 = 1_795_988_183_000

    static func firstLine(_ raw: String) -> String {
        String(raw.prefix { $0 != "\n" })
    }

    @Test("every trace of truth.json returns exactly its records; no untraced record joins a trace")
    func traces() async throws {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("truth.json")))
        #expect(truth.traces.values.reduce(0) { $0 + $1.records.count } == 115)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-libraries-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("logs").path, toPath: root + "/logs")
        let store = try await SamplesTests.ingest(root + "/logs", into: root, now: Self.readTime)
        defer { try? store.close() }

        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            var found = 0
            for (id, trace) in truth.traces.sorted(by: { $0.key < $1.key }) {
                for spelling in trace.spellings {
                    try await client.execute(uri: "/traces/\(spelling)/logs?limit=1000", method: .get) { response in
                        #expect(response.status == .ok, "trace \(spelling)")
                        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                        let lines = body["lines"] as? [[String: Any]] ?? []
                        let got = lines.map { Truth.Record(file: $0["file"] as? String ?? "", first_line: Self.firstLine($0["raw"] as? String ?? "")) }
                        // Each of its records once, and nothing else (the noise included).
                        #expect(got.sorted { "\($0)" < "\($1)" } == trace.records.sorted { "\($0)" < "\($1)" }, "trace \(id) as \(spelling)")
                        #expect(lines.allSatisfy { $0["trace_id"] as? String == id }, "trace \(id): every record's own trace")
                        if spelling == trace.spellings[0] { found += Set(got).intersection(trace.records).count }
                    }
                }
            }
            #expect(found == 115)
            // No trace beyond truth's: an untraced record gave no id of its own.
            try await client.execute(uri: "/traces?since=2026-11-29T00:00:00Z&until=2026-11-30T00:00:00Z&limit=1000", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let listed = Set((body["traces"] as? [[String: Any]] ?? []).compactMap { $0["trace_id"] as? String })
                #expect(listed == Set(truth.traces.keys))
            }
        }
        // Every record was stored, the untraced ones included.
        #expect(try await store.statistics().records == Int64(115 + truth.noise.count))
    }
}
