import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer

/// The bundled samples and the fixtures of `Tests/Fixtures`, read by the real tailer into a real store and
/// asked for over HTTP: every trace complete, each record once, in time order.
@Suite("Samples and fixtures through the API")
struct SamplesTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Reads `directory` into a new store at `root`, at `now` (the wall clock by default: July's
    /// samples read today, as a user reads them).
    static func ingest(_ directory: String, into root: String, now: Int64 = WallClock.nowMillis()) async throws -> SQLiteLogStore {
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let tailer = DirectoryTailer(configuration: TailerConfiguration(directory: directory, useInotify: false), store: store, logger: logger)
        try await tailer.start()
        _ = try await tailer.drain(now: { now })
        return store
    }

    @Test("Every trace of samples/pm2-logs comes back with the manifest's records and files")
    func samples() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-samples-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await Self.ingest(Self.repository.appendingPathComponent("samples/pm2-logs").path, into: root)
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.repository.appendingPathComponent("samples/pm2-logs.manifest.json"))) as! [String: Any]
        let traces = manifest["traces"] as! [[String: Any]]
        #expect(traces.count > 50)
        let stats = try await store.statistics()
        #expect(stats.records == (manifest["totals"] as! [String: Any])["records"] as! Int64)
        // Read today, the history keeps its own day: records without a time of their own (banners
        // at the top of files) take their neighbours' time, not the time they were read.
        let july2 = Timestamp.parse("2026-07-02T00:00:00Z")!
        #expect(try #require(stats.oldestTime) >= july2, "\(stats)")
        #expect(try #require(stats.newestTime) < july2 + 86_400_000, "\(stats)")
        for trace in traces {
            let id = TraceID(trace["trace_id"] as! String)!
            let page = try await store.records(RecordQuery(key: id.key, limit: 10_000))
            #expect(page.records.count == trace["records"] as! Int, "trace \(id)")
            #expect(Set(page.records.map(\.file.path)) == Set(trace["files"] as! [String]), "trace \(id)")
            #expect(page.records.map(\.record.time) == page.records.map(\.record.time).sorted(), "trace \(id) in time order")
        }
        // The README's quick-tour trace over HTTP, in two spellings.
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            for spelling in ["3ca0b749-6380-463a-9e52-a8780c3703e3", "3CA0B7496380463A9E52A8780C3703E3"] {
                try await client.execute(uri: "/traces/\(spelling)/logs", method: .get) { response in
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                    #expect(body["count"] as? Int == 25)
                    let lines = body["lines"] as! [[String: Any]]
                    #expect(Set(lines.compactMap { $0["app"] as? String }).count >= 4)
                    #expect(lines.contains { ($0["raw"] as? String)?.contains("    at ") == true }, "a stack trace is part of the trace")
                }
            }
        }
        try store.close()
    }

    @Test("One trace written in every format of the fixtures, across files, comes back whole")
    func fixtures() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-fixtures-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fixtures = Self.repository.appendingPathComponent("Tests/Fixtures")
        // One app per format, as PM2 would name their files.
        let files = [
            ("pino/basic.ndjson", "pino-out.log"),
            ("pino-pretty/default.log", "pretty-out.log"),
            ("pino-pretty/colorize.log", "colour-out.log"),
            ("console/util-inspect.log", "orchestrator-out.log"),
            ("pm2/fork-time-prefix.log", "forked-out.log"),
            ("pm2/cluster-time-prefix.log", "api-out-4.log"),
            ("pm2/json-envelope.log", "enveloped-out.log"),
            ("node/crash-stderr.log", "worker-error.log"),
        ]
        for (source, name) in files {
            try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent(source).path, toPath: logs + "/" + name)
        }
        let store = try await Self.ingest(logs, into: root, now: 1_782_986_500_000)
        let trace = TraceID("ec339c58-031b-4a04-a76e-2fc5fbcaebf5")!
        let page = try await store.records(RecordQuery(key: trace.key, limit: 10_000))
        let byFile = Dictionary(grouping: page.records, by: \.file.path).mapValues(\.count)
        // Each file holds the trace the way its format writes it (counted by hand from the fixtures):
        // six records of its own, and in four files the "request received" record, whose own trace
        // is the traceparent's and which carries this one as its `x-trace-id` header.
        #expect(byFile["pino-out.log"] == 7)
        #expect(byFile["pretty-out.log"] == 7)
        #expect(byFile["colour-out.log"] == 7)
        #expect(byFile["forked-out.log"] == 7)
        let byHeader = page.records.filter { $0.record.trace != trace.key }
        #expect(byHeader.map(\.file.path).sorted() == ["colour-out.log", "forked-out.log", "pino-out.log", "pretty-out.log"])
        for stored in byHeader {
            #expect(stored.record.trace == TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!.key)
            #expect(stored.record.otherTraces == [trace.key])
            #expect(String(decoding: stored.record.raw, as: UTF8.self).contains("request received"))
        }
        #expect(byFile["orchestrator-out.log"] == 3)
        #expect(byFile["api-out-4.log"] == 1)
        #expect(byFile["enveloped-out.log"] == 4)
        #expect(page.records.map(\.cursor) == page.records.map(\.cursor).sorted())
        // Over HTTP, the record found by its header's trace id says which trace is its own.
        try await LiveClient.test(TraceTailAPI.router(APIDependencies(store: store))) { client in
            try await client.execute(uri: "/traces/\(trace.canonical)/logs?app=pino", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let lines = body["lines"] as! [[String: Any]]
                #expect(lines.count == 7)
                let received = lines.filter { ($0["msg"] as? String) == "request received" }
                #expect(received.count == 1)
                #expect(received.first?["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
                #expect(received.first?["other_trace_ids"] as? [String] == [trace.canonical])
                #expect(lines.filter { ($0["other_trace_ids"] as? [String]) == [] }.count == 6)
            }
            // Its own trace's summary counts it, with its span, in the tree.
            try await client.execute(uri: "/traces/4bf92f3577b34da6a3ce929d0e0e4736/logs?app=pino", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect((body["lines"] as? [[String: Any]])?.contains { ($0["msg"] as? String) == "request received" } == true)
            }
        }
        // No record is there twice.
        let keys = page.records.map { "\($0.file.path)@\($0.record.startOffset)#\(String(decoding: $0.record.raw, as: UTF8.self))" }
        #expect(Set(keys).count == keys.count)
        try store.close()
    }
}
