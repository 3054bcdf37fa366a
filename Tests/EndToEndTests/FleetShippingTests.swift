import Foundation
import GRDB
import Logging
import Testing
import TraceTailCore
import TraceTailPostgres
import TraceTailStore

/// The shipper and the fleet store on a real PostgreSQL (the tests' own cluster) and a real SQLite
/// store: what is shipped comes back once, shipping again after a lost acknowledgement changes
/// nothing, retention drops whole days, and local retention keeps what was not shipped.
@Suite("Fleet shipping", .serialized)
struct FleetShippingTests {
    static let day: Int64 = 86_400_000

    /// A SQLite store of a host, a fleet database with the schema, and a shipper between them.
    struct Setup {
        let cluster: PostgresCluster
        let database: String
        let fleet: FleetDatabase
        let central: PostgresLogStore
        let local: SQLiteLogStore
        let localPath: String
        let shipper: Shipper
        let file: FileState

        /// `database` and `localPath` given: another store on the same fleet database, or the
        /// same store opened again. `prepare` false: the shipper has not registered its host yet.
        static func make(
            host: String = "api-1", cluster given: PostgresCluster? = nil, database givenDatabase: String? = nil,
            localPath: String? = nil, replaceStore: String? = nil, prepare: Bool = true
        ) async throws -> Setup {
            let cluster: PostgresCluster
            if let given { cluster = given } else { cluster = try await PostgresCluster.shared() }
            let database: String
            if let given = givenDatabase { database = given } else { database = try await offThread { try cluster.createDatabase(prefix: "fleet") } }
            var logger = Logger(label: "fleet-test")
            logger.logLevel = .warning
            let fleet = try FleetDatabase(url: cluster.url(database: database), logger: logger)
            try await FleetSchema.migrate(fleet)
            let path = localPath ?? FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-fleet-\(UUID().uuidString).sqlite").path
            let local = try SQLiteLogStore(path: path, options: StoreOptions(hostName: host, keepUnshipped: true), logger: logger)
            let file = try await local.register(FileState(path: "api-out.log", app: "api", stream: .out, instance: 0, device: 1, inode: 1))
            var options = Shipper.Options(hostName: host)
            options.replaceStore = replaceStore
            let shipper = Shipper(source: local, database: fleet, options: options, logger: logger)
            if prepare { try await shipper.prepare() }
            return Setup(
                cluster: cluster, database: database, fleet: fleet, central: PostgresLogStore(database: fleet, logger: logger),
                local: local, localPath: path, shipper: shipper, file: file)
        }

        /// Closes the store and the pool; `keepStore` leaves the store's file for a restart.
        func close(keepStore: Bool = false) {
            try? local.close()
            fleet.close()
            if !keepStore { removeStoreFiles(localPath) }
        }

        /// Appends records `range` to the file: trace `trace(n / 10)` (or `of(n)`), every seventh
        /// an error.
        func append(_ range: Range<Int>, storedAt: Int64, of traceOf: (Int) -> TraceID = { FleetShippingTests.trace($0 / 10) }) async throws {
            var batch = IngestBatch(storedAt: storedAt)
            var current = file
            for n in range {
                let text = #"{"level":\#(n % 7 == 0 ? 50 : 30),"time":\#(1_782_986_400_000 + n),"msg":"record \#(n)"}"#
                let raw = Array(text.utf8)
                let record = IndexedRecord(
                    time: 1_782_986_400_000 + Int64(n), level: n % 7 == 0 ? .error : .info,
                    startOffset: Int64(n) * 100, endOffset: Int64(n) * 100 + 100,
                    trace: traceOf(n).key, raw: raw)
                batch.records.append(.init(fileID: file.id, record: record))
            }
            current.offset = Int64(range.upperBound) * 100
            batch.files = [current]
            try await local.append(batch)
        }

        /// Ships until the host's store has nothing left to ship.
        func shipAll() async throws {
            for _ in 0..<1000 {
                if try await shipper.shipOnce() == 0 { return }
            }
            Issue.record("shipping did not finish")
        }

        /// psql's answer (run off the cooperative threads: it blocks until psql exits).
        func sql(_ text: String) async throws -> String {
            let cluster = self.cluster
            let database = self.database
            return try await offThread { try cluster.psql(text, database: database) }
        }
    }

    static func trace(_ n: Int) -> TraceID {
        TraceID(String(format: "%08xfa7f4afe98c410a65672cfc2", n + 1))!
    }

    @Test("a round that timed out is followed by smaller ones, down to one block; rounds that get through grow back")
    func batchAfterTimeouts() {
        // Found by a review: a batch too large for the link timed out, was rolled back and was
        // tried again the same, for ever.
        var batch = ShipBatch(blocks: 64, bytes: 4 << 20)
        for _ in 0..<10 { batch.timedOut() }
        #expect(batch.blocks == 1)
        #expect(batch.bytes == 4 << 10)
        batch.shipped()
        #expect(batch.blocks == 2)
        for _ in 0..<10 { batch.shipped() }
        #expect(batch.blocks == 64)
        #expect(batch.bytes == 4 << 20)
    }

    @Test("a host started before the fleet schema exists waits for it without counting failures, then ships")
    func waitsForSchema() async throws {
        // Found by a review: the wait ran inside a round's time limit and was reported, after it,
        // as a fleet store that did not answer (failures, an error logged).
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "fleet") }
        var logger = Logger(label: "fleet-test")
        logger.logLevel = .critical
        let fleet = try FleetDatabase(url: cluster.url(database: database), logger: logger)
        defer { fleet.close() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-fleet-\(UUID().uuidString).sqlite").path
        let local = try SQLiteLogStore(path: path, options: StoreOptions(hostName: "api-1", keepUnshipped: true), logger: logger)
        defer {
            try? local.close()
            removeStoreFiles(path)
        }
        var file = try await local.register(FileState(path: "api-out.log", app: "api", stream: .out, instance: 0, device: 1, inode: 1))
        var batch = IngestBatch(storedAt: 1_782_986_400_000)
        for n in 0..<20 {
            let record = IndexedRecord(
                time: 1_782_986_400_000 + Int64(n), level: .info, startOffset: Int64(n) * 100, endOffset: Int64(n) * 100 + 100,
                trace: Self.trace(0).key, raw: Array(#"{"msg":"record \#(n)"}"#.utf8))
            batch.records.append(.init(fileID: file.id, record: record))
        }
        file.offset = 2_000
        batch.files = [file]
        try await local.append(batch)
        var options = Shipper.Options(hostName: "api-1")
        options.roundTimeoutMillis = 3_000
        let shipper = Shipper(source: local, database: fleet, options: options, logger: logger)
        let running = Task { await shipper.run() }
        // Over two rounds' limit.
        try await Task.sleep(for: .seconds(7))
        #expect(shipper.status.waitingForSchema)
        #expect(shipper.status.failures == 0, "\(shipper.status.lastError ?? "")")
        // Ended before the store and the pool close (the defers).
        running.cancel()
        await running.value
        // Once the schema is there, the same store ships: round by round, without the short
        // limit the wait was tested with (a loaded machine's first rounds create the day's
        // partitions, which took longer than 3 s in a full suite run).
        try await FleetSchema.migrate(fleet)
        let after = Shipper(source: local, database: fleet, options: Shipper.Options(hostName: "api-1"), logger: logger)
        try await after.prepare()
        for _ in 0..<100 where try await after.shipOnce() > 0 {}
        #expect(after.status.shippedRecords == 20)
        #expect(!after.status.waitingForSchema)
    }

    @Test("shipped records come back once each, with their host; open blocks ship as they grow")
    func shipsOnce() async throws {
        let setup = try await Setup.make()
        defer { setup.close() }
        let now = WallClockForTests.now
        try await setup.append(0..<500, storedAt: now)
        try await setup.shipAll()
        try await setup.append(500..<1000, storedAt: now)  // the same open block, grown
        try await setup.shipAll()
        #expect(try await setup.central.statistics().records == 1000)
        let page = try await setup.central.records(RecordQuery(key: Self.trace(7).key))
        #expect(page.records.map(\.record.startOffset) == (70..<80).map { Int64($0) * 100 })
        #expect(page.records.allSatisfy { $0.file.host == "api-1" && $0.file.app == "api" })
        #expect(try await setup.local.shippingBacklog().records == 0)
        // The summary table: one row per trace and host, totals exact.
        #expect(try await setup.sql("SELECT count(*), sum(records), sum(errors) FROM tracetail_traces") == "100|1000|143")
        #expect(try await setup.sql("SELECT records FROM tracetail_hosts WHERE name = 'api-1'") == "1000")
        let listed = try await setup.central.traces(TraceListQuery(limit: 3))
        #expect(listed.traces.map(\.trace) == [Self.trace(99).key, Self.trace(98).key, Self.trace(97).key])
        #expect(listed.traces.first?.hosts == ["api-1"])
        #expect(listed.traces.first?.records == 10)
    }

    @Test("the trace list over two hosts: host=, app= and the window pick traces; totals are over every host")
    func traceListAcrossHosts() async throws {
        let first = try await Setup.make(host: "api-1")
        defer { first.close() }
        let second = try await Setup.make(host: "api-2", cluster: first.cluster, database: first.database)
        defer { second.close() }
        let now = WallClockForTests.now
        // Traces 0 to 9 on api-1 (records 0-99); trace 9 again on api-2 with later records.
        try await first.append(0..<100, storedAt: now)
        try await first.shipAll()
        try await second.append(90..<95, storedAt: now)
        try await second.shipAll()
        let trace = Self.trace(9).key
        let whole = try #require(try await first.central.traces(TraceListQuery()).traces.first { $0.trace == trace })
        #expect(whole.records == 15)
        #expect(whole.hosts == ["api-1", "api-2"])
        var onlyFirst = TraceListQuery()
        onlyFirst.hosts = ["api-1"]
        var onlySecond = TraceListQuery()
        onlySecond.hosts = ["api-2"]
        for query in [onlyFirst, onlySecond, TraceListQuery(since: 1_782_986_400_000 + 90, until: 1_782_986_400_000 + 92)] {
            let listed = try await first.central.traces(query).traces.first { $0.trace == trace }
            #expect(listed == whole, "\(query)")
        }
        #expect(try await first.central.traces(onlySecond).traces.map(\.trace) == [trace])
    }

    @Test("an acknowledgement lost after the remote commit: shipped again, found complete, nothing twice")
    func reshipIsHarmless() async throws {
        let setup = try await Setup.make()
        defer { setup.close() }
        let now = WallClockForTests.now
        try await setup.append(0..<300, storedAt: now)
        try await setup.shipAll()
        // As if the shipper died between PostgreSQL's commit and the local acknowledgement.
        let queue = try DatabaseQueue(path: setup.localPath)
        try await queue.write { db in try db.execute(sql: "UPDATE shipping SET shipped = 0") }
        try queue.close()
        #expect(try await setup.local.shippingBacklog().records == 300)
        try await setup.shipAll()
        #expect(setup.shipper.status.alreadyShipped > 0)
        #expect(try await setup.central.statistics().records == 300)
        #expect(try await setup.sql("SELECT sum(records) FROM tracetail_traces") == "300")
        #expect(try await setup.sql("SELECT records FROM tracetail_hosts") == "300")
        #expect(try await setup.sql("SELECT sum(cardinality(keys)) FROM tracetail_postings") == "30")
        let page = try await setup.central.records(RecordQuery(key: Self.trace(3).key))
        #expect(page.records.count == 10)
    }

    @Test("retention: the query node drops whole days; the host keeps unshipped days past their age")
    func retention() async throws {
        let setup = try await Setup.make()
        defer { setup.close() }
        let now = WallClockForTests.now
        try await setup.append(0..<200, storedAt: now - 10 * Self.day)
        // Older than the policy, but not shipped yet: the host keeps it.
        let early = try await setup.local.prune(RetentionPolicy(maxAge: 3 * Self.day), now: now)
        #expect(early.recordsDeleted == 0)
        try await setup.append(200..<300, storedAt: now)
        // Trace 3 of the old day has a record stored today too.
        try await setup.append(300..<301, storedAt: now) { _ in Self.trace(3) }
        try await setup.shipAll()
        #expect(try await setup.central.statistics().partitions == 2)
        let old = (now - 10 * Self.day) / Self.day
        #expect(try await setup.sql("SELECT to_regclass('tracetail_blocks_d\(old)') IS NOT NULL") == "t")
        let report = try await setup.central.prune(RetentionPolicy(maxAge: 3 * Self.day), now: now)
        #expect(report.partitionsDropped == 1)
        #expect(report.recordsDeleted == 200)
        #expect(try await setup.central.statistics().records == 101)
        #expect(try await setup.sql("SELECT to_regclass('tracetail_blocks_d\(old)') IS NULL") == "t")
        // Shipped now: the host's own retention may drop it.
        let late = try await setup.local.prune(RetentionPolicy(maxAge: 3 * Self.day), now: now)
        #expect(late.recordsDeleted == 200)
        #expect(late.unshippedRecordsDropped == 0)
        // Every day past the age: every summary goes with them.
        // The summaries of the traces of the dropped day are gone; those of today's blocks stay,
        // though their records' times are older than any day kept (a day of history read today).
        #expect(try await setup.sql("SELECT count(*) FROM tracetail_trace_summaries") == "11")
        let all = try await setup.central.prune(RetentionPolicy(maxAge: 3 * Self.day), now: now + 10 * Self.day)
        #expect(all.recordsDeleted == 101)
        #expect(try await setup.sql("SELECT count(*) FROM tracetail_trace_summaries") == "0")
    }

    @Test("blocks and filters are stored as they are: STORAGE EXTERNAL, not compressed again")
    func storageExternal() async throws {
        let setup = try await Setup.make()
        defer { setup.close() }
        try await setup.append(0..<50, storedAt: WallClockForTests.now)
        try await setup.shipAll()
        let storage = try await setup.sql("""
            SELECT string_agg(DISTINCT a.attstorage::text, ',') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relname LIKE 'tracetail_blocks%' AND a.attname IN ('data', 'filter')
            """)
        #expect(storage == "e")
    }
}

extension FleetShippingTests {
    @Test("PostgreSQL down: the backlog waits, the error is reported, everything ships once it is back")
    func unreachable() async throws {
        // initdb and pg_ctl block their thread: off the test's cooperative threads.
        let cluster = try await offThread { try PostgresCluster.start() }
        defer { try? cluster.stop(mode: "immediate") }
        let setup = try await Setup.make(cluster: cluster)
        defer { setup.close() }
        try await offThread { try cluster.stop(mode: "immediate") }
        let now = WallClockForTests.now
        try await setup.append(0..<400, storedAt: now)
        let running = Task { await setup.shipper.run() }
        defer { running.cancel() }
        var status = setup.shipper.status
        for _ in 0..<800 where status.lastError == nil {
            try await Task.sleep(for: .milliseconds(50))
            status = setup.shipper.status
        }
        #expect(status.lastError != nil)
        #expect(status.failures > 0)
        // Appends go on while the fleet store is away: the tailer never waits for it.
        try await setup.append(400..<600, storedAt: now)
        #expect(try await setup.local.shippingBacklog().records == 600)
        try await offThread { try cluster.start() }
        var backlog = try await setup.local.shippingBacklog()
        for _ in 0..<1200 where backlog.records > 0 {
            try await Task.sleep(for: .milliseconds(50))
            backlog = try await setup.local.shippingBacklog()
        }
        #expect(backlog.records == 0)
        #expect(try await setup.central.statistics().records == 600)
        #expect(try await setup.sql("SELECT sum(records) FROM tracetail_traces") == "600")
        #expect(setup.shipper.status.lastError == nil)
    }
}

enum WallClockForTests {
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Removes a SQLite store and the files beside it: its write-ahead log, shared memory and writer
/// lock.
func removeStoreFiles(_ path: String) {
    for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}
