import Foundation
import Logging
import Testing
import TraceTailCore
import TraceTailPostgres
import TraceTailStore

/// The `LogStore` contract (docs/architecture.md, "The LogStore contract") held by both of its
/// implementations: a host's SQLite store is filled with records of every kind (three files and
/// streams, traces across files, records carrying a second trace id, spans, workflow and task ids,
/// every level and none, many sealed blocks and open ones), shipped to the fleet store on the
/// tests' real PostgreSQL, and then every query is asked of both. The answers must be the same,
/// record for record and page for page (file ids and cursors are each store's own, so records are
/// compared by host, file path and offset).
@Suite("LogStore contract: the SQLite store and the fleet store answer alike", .serialized)
struct LogStoreConformanceTests {
    static let base: Int64 = 1_782_986_400_000
    static let traces = (0..<6).map { TraceID(String(format: "%08x0c2b4d1e9f8a7b6c5d4e3f2a", $0 + 1))! }
    static let spans = (0..<24).map { SpanID(String(format: "%016llx", UInt64($0 + 1) &* 0x9E37_79B9_7F4A_7C15))! }
    static let workflows = (0..<6).map { BusinessID(.workflow, "wf-\($0)")! }
    static let tasks = (0..<12).map { BusinessID(.task, "task-\($0)")! }

    /// Both stores, filled and shipped.
    struct Stores {
        let local: SQLiteLogStore
        let central: PostgresLogStore
        let close: @Sendable () -> Void
    }

    static func stores() async throws -> Stores {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "conformance") }
        var logger = Logger(label: "conformance")
        logger.logLevel = .warning
        let fleet = try FleetDatabase(url: cluster.url(database: database), logger: logger)
        try await FleetSchema.migrate(fleet)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-conformance-\(UUID().uuidString).sqlite").path
        let local = try SQLiteLogStore(
            path: path, options: StoreOptions(blockBytes: 2048, hostName: "api-1", keepUnshipped: true), logger: logger)
        let shipper = Shipper(source: local, database: fleet, options: Shipper.Options(hostName: "api-1"), logger: logger)
        try await shipper.prepare()
        var files: [FileState] = []
        for (index, name) in ["orchestrator-out.log", "agent-error.log", "api-out-2.log"].enumerated() {
            let parsed = PM2FileName(name)!
            files.append(try await local.register(FileState(
                path: name, app: parsed.app, stream: parsed.stream, instance: parsed.instance, device: 1,
                inode: UInt64(10 + index))))
        }
        var random = SplitMix64(seed: 11)
        // 900 records in batches of 60 over the three files; then 30 more that stay in open blocks.
        for (batchStart, batchEnd) in [(0, 60), (60, 120), (120, 180), (180, 240), (240, 300), (300, 360), (360, 420),
                                       (420, 480), (480, 540), (540, 600), (600, 660), (660, 720), (720, 780),
                                       (780, 840), (840, 900), (900, 930)] {
            var batch = IngestBatch(storedAt: WallClockForTests.now)
            for n in batchStart..<batchEnd {
                let fileIndex = Int(random.next() % 3)
                let record = Self.record(n, random: &random, offset: files[fileIndex].offset)
                files[fileIndex].offset = record.endOffset
                batch.records.append(.init(fileID: files[fileIndex].id, record: record))
            }
            batch.files = files
            try await local.append(batch)
            if batchEnd == 900 || batchEnd == 930 {
                for _ in 0..<1000 where try await shipper.shipOnce() > 0 {}
            }
        }
        #expect(try await local.shippingBacklog().records == 0)
        return Stores(local: local, central: PostgresLogStore(database: fleet, logger: logger)) {
            try? local.close()
            fleet.close()
            removeStoreFiles(path)
        }
    }

    /// Record `n`: at a time of its own (no two records share one, so both stores' orders are
    /// the same whatever their file ids), in one of the traces most of the time.
    static func record(_ n: Int, random: inout SplitMix64, offset: Int64) -> IndexedRecord {
        let pick = Int(random.next() % 100)
        let traceIndex = Int(random.next() % 6)
        let trace = pick < 85 ? traces[traceIndex] : nil
        let span = trace == nil ? nil : spans[traceIndex * 4 + Int(random.next() % 4)]
        let workflow = pick < 95 ? workflows[traceIndex] : nil
        let task = pick % 3 == 0 ? tasks[traceIndex * 2 + pick % 2] : nil
        let levels: [LogLevel?] = [nil, .debug, .info, .info, .warn, .error, .fatal]
        let level = levels[Int(random.next() % UInt64(levels.count))]
        let raw = Array(#"{"level":\#(level?.rawValue ?? 0),"msg":"record \#(n)"}"#.utf8)
        var record = IndexedRecord(
            time: base + Int64(n) * 7, level: level, startOffset: offset, endOffset: offset + Int64(raw.count) + 1,
            trace: trace?.key, span: span?.key, workflow: workflow?.key, task: task?.key, raw: raw)
        if pick == 7 || pick == 8 { record.otherTraces = [traces[(traceIndex + 1) % 6].key] }
        return record
    }

    /// A record as both stores can name it.
    static func name(_ stored: StoredRecord) -> String {
        "\(stored.file.host)|\(stored.file.path)|\(stored.file.app)|\(stored.file.stream)|\(stored.record.startOffset)|\(String(decoding: stored.record.raw, as: UTF8.self))"
    }

    /// Every page of a query, each as its records' names.
    static func pages(_ store: some LogStore, _ query: RecordQuery) async throws -> [[String]] {
        var query = query
        var pages: [[String]] = []
        for _ in 0..<1000 {
            let page = try await store.records(query)
            #expect(page.unreadableBlocks == 0)
            pages.append(page.records.map(name))
            guard let next = page.next else { return pages }
            query.after = next
        }
        Issue.record("paging did not end")
        return pages
    }

    /// The queries asked of both stores for one id.
    static func queries(_ key: IDKey) -> [(String, RecordQuery)] {
        var out: [(String, RecordQuery)] = [("all", RecordQuery(key: key))]
        out.append(("desc", RecordQuery(key: key, order: .descending)))
        out.append(("pages of 7", RecordQuery(key: key, limit: 7)))
        out.append(("desc pages of 5", RecordQuery(key: key, limit: 5, order: .descending)))
        out.append(("window", RecordQuery(key: key, since: base + 1000, until: base + 4000, limit: 9)))
        out.append(("errors", RecordQuery(key: key, minimumLevel: .error, limit: 4)))
        out.append(("app", RecordQuery(key: key, apps: ["agent", "api"], limit: 11)))
        var hosts = RecordQuery(key: key)
        hosts.hosts = ["api-1"]
        out.append(("host", hosts))
        var otherHost = RecordQuery(key: key)
        otherHost.hosts = ["api-2"]
        out.append(("other host", otherHost))
        return out
    }

    @Test("records: every kind of id, every filter, ascending and descending, page by page")
    func records() async throws {
        let stores = try await Self.stores()
        defer { stores.close() }
        var keys: [IDKey] = Self.traces.map(\.key) + [Self.spans[5].key, Self.workflows[2].key, Self.tasks[3].key]
        keys.append(TraceID("ffffffffffffffffffffffffffffffff")!.key)  // found nowhere
        var compared = 0
        for key in keys {
            for (label, query) in Self.queries(key) {
                let local = try await Self.pages(stores.local, query)
                let central = try await Self.pages(stores.central, query)
                #expect(local == central, "\(label) of \(key)")
                compared += local.joined().count
            }
            var bySpan = RecordQuery(key: Self.traces[1].key)
            bySpan.span = Self.spans[5].key
            #expect(try await Self.pages(stores.local, bySpan) == Self.pages(stores.central, bySpan))
        }
        // The records compared are many and of every kind, not a vacuous agreement.
        #expect(compared > 3000)
        let all = try await Self.pages(stores.local, RecordQuery(key: Self.traces[0].key)).joined()
        #expect(Set(all.map { $0.split(separator: "|")[1] }).count == 3)
    }

    @Test("the trace list, coverage and statistics")
    func lists() async throws {
        let stores = try await Self.stores()
        defer { stores.close() }
        var queries: [TraceListQuery] = [
            TraceListQuery(), TraceListQuery(limit: 2), TraceListQuery(since: Self.base + 2000, until: Self.base + 3000),
            TraceListQuery(apps: ["api"]), TraceListQuery(errorsOnly: true),
        ]
        var hosts = TraceListQuery()
        hosts.hosts = ["api-2"]
        queries.append(hosts)
        for query in queries {
            let local = try await stores.local.traces(query)
            let central = try await stores.central.traces(query)
            #expect(local == central, "\(query)")
        }
        #expect(try await stores.local.traces(TraceListQuery()).traces.count == 6)

        for query in [CoverageQuery(), CoverageQuery(since: Self.base + 1000, until: Self.base + 5000, apps: ["agent"])] {
            #expect(try await stores.local.coverage(query) == stores.central.coverage(query), "\(query)")
        }
        let local = try await stores.local.statistics()
        let central = try await stores.central.statistics()
        #expect((local.records, local.rawBytes, local.oldestTime, local.newestTime, local.files)
            == (central.records, central.rawBytes, central.oldestTime, central.newestTime, central.files))
        #expect(local.records == 930)
    }
}
