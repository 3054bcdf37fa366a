import Foundation
import Testing
import TraceTailCore
import TraceTailStore
import TraceTailTailer

/// A backlog of JSON records is parsed on several threads (`RecordParser.parseAll`); what is
/// stored must be what parsing in order stores, record for record, also for the records between
/// them whose time depends on the record before (untimed lines, pino-pretty times of day).
@Suite("Parallel parsing of a backlog")
struct ParallelParseTests {
    /// 6,000 records (about 1.2 MB, several read chunks): pino lines with one trace id, and every
    /// so often a console line with no time and a pino-pretty record whose header has only a
    /// time of day, both carrying the same trace id in their text.
    static func backlog() -> String {
        var text = ""
        for n in 0..<6000 {
            switch n % 97 {
            case 13:
                text += "🔍 [WORKFLOW-TRACE] step \(n) { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', workflowId: 'wf-\(n % 7)' }\n"
            case 55:
                text += "[10:0\(n % 6):1\(n % 10).123] INFO (42 on host-1): pretty \(n)\n    trace_id: \"4bf92f3577b34da6a3ce929d0e0e4736\"\n"
            default:
                let time = 1_782_986_400_000 + Int64(n) * 37
                text += #"{"level":\#(n % 5 == 0 ? 50 : 30),"time":\#(time),"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"\#(String(format: "%016llx", UInt64(n) &* 0x9E37_79B9_7F4A_7C15))","msg":"line \#(n)"}"# + "\n"
            }
        }
        return text
    }

    /// Ingests the backlog (twice the file, under two names) with `threads` parse threads and
    /// returns every stored record of the trace, in the store's order.
    static func ingest(threads: Int, _ text: String) async throws -> [IndexedRecord] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-parallel-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        for name in ["orchestrator-out.log", "agent-out-0.log"] {
            try text.write(toFile: root + "/logs/" + name, atomically: false, encoding: .utf8)
        }
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        let configuration = TailerConfiguration(
            directory: root + "/logs", flushIntervalMillis: 0, useInotify: false, parseThreads: threads)
        let tailer = DirectoryTailer(configuration: configuration, store: store, logger: TailerHarness.logger)
        try await tailer.start()
        _ = try await tailer.drain(now: { 1_800_000_000_000 })
        var records: [IndexedRecord] = []
        var cursor: RecordCursor?
        repeat {
            let page = try await store.records(RecordQuery(key: TailerHarness.trace.key, limit: 5000, after: cursor))
            records += page.records.map(\.record)
            cursor = page.next
        } while cursor != nil
        try store.close()
        return records
    }

    @Test("stores the same records, fields and times as parsing in order")
    func sameAsInOrder() async throws {
        let text = Self.backlog()
        let inOrder = try await Self.ingest(threads: 1, text)
        let parallel = try await Self.ingest(threads: 4, text)
        #expect(inOrder.count == 12_000)
        #expect(parallel.count == inOrder.count)
        for (a, b) in zip(inOrder, parallel) where a != b {
            Issue.record("differs: \(String(decoding: a.raw, as: UTF8.self))")
            break
        }
        // The untimed lines took the time of the record before them, not the reading time.
        let untimed = inOrder.filter { String(decoding: $0.raw, as: UTF8.self).hasPrefix("🔍") }
        #expect(!untimed.isEmpty && untimed.allSatisfy { $0.time < 1_782_986_400_000 + 6000 * 37 })
    }
}
