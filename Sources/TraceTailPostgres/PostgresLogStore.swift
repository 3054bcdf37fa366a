import Logging
import PostgresNIO
import TraceTailCore

/// The fleet store: every host's blocks in one PostgreSQL database, read through the same
/// `LogStore` interface as a host's SQLite store, so the HTTP API and the CLI answer over the whole
/// fleet unchanged. Records name their host (`FileState.host`). It is written by shippers only
/// (`Shipper`); `register` and `append` are refused.
package final class PostgresLogStore: LogStore {
    package let database: FleetDatabase
    let logger: Logger

    package init(database: FleetDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    package func close() {
        database.close()
    }

    // MARK: - Writing (shippers write, not the store)

    package func register(_ file: FileState) async throws -> FileState {
        throw FleetError("the fleet store is written by shippers (tracetail serve --ship-to), not by a tailer")
    }

    package func append(_ batch: IngestBatch) async throws {
        throw FleetError("the fleet store is written by shippers (tracetail serve --ship-to), not by a tailer")
    }

    // MARK: - Files

    package func files() async throws -> [FileState] {
        try await files(ids: nil)
    }

    private func files(ids: [Int64]?) async throws -> [FileState] {
        let rows = try await database.client.query("""
            SELECT f.id, h.name, f.path, f.app, f.stream, f.instance
            FROM tracetail_files f JOIN tracetail_hosts h ON h.id = f.host_id
            WHERE \(ids == nil) OR f.id = ANY (\(ids ?? [])::int8[])
            ORDER BY f.id
            """, logger: logger)
        var files: [FileState] = []
        for try await (id, host, path, app, stream, instance) in rows.decode((Int64, String, String, String, String, Int32?).self) {
            var file = FileState(
                id: id, path: path, app: app, stream: LogStream(rawValue: stream) ?? .out,
                instance: instance.map(Int.init), device: 0, inode: 0)
            file.host = host
            file.status = .live
            files.append(file)
        }
        return files
    }

    // MARK: - Records

    /// Paged as the SQLite store pages (`PageCollector`): the blocks that may hold the id are
    /// listed with their time ranges (no data), then read in the answer's order, a few per round
    /// trip, until no block left can change the page.
    package func records(_ query: RecordQuery) async throws -> RecordPage {
        var collector = PageCollector(query)
        let candidates = collector.arrange(try await candidateBlocks(for: query))
        var files: [Int64: FileState] = [:]
        let fileIDs = Array(Set(candidates.map(\.fileID))).sorted()
        if !fileIDs.isEmpty {
            for file in try await self.files(ids: fileIDs) { files[file.id] = file }
        }
        var unreadable = 0
        var next = 0
        reading: while next < candidates.count, collector.wants(candidates[next]) {
            let batch = Array(candidates[next..<min(next + Self.blocksPerRead, candidates.count)])
            next += batch.count
            let data = try await blockData(batch)
            for block in batch {
                guard collector.wants(block) else { break reading }
                guard let file = files[block.fileID], let (payloadBytes, bytes) = data[block.address] else { continue }
                do {
                    collector.add(try BlockCodec.decode(stored: bytes, payloadBytes: payloadBytes, matching: query.key), file: file)
                } catch {
                    unreadable += 1
                    logger.error("fleet block cannot be decoded; skipped", metadata: [
                        "day": "\(block.address.day)", "host_id": "\(block.address.hostID)", "part": "\(block.address.part)",
                        "block": "\(block.address.block)", "error": "\(error)",
                    ])
                }
            }
        }
        return collector.page(unreadableBlocks: unreadable)
    }

    /// Blocks read per round trip: a trace's blocks usually come in one (a block is at most
    /// about 128 KiB of text, some 20 KiB stored).
    static let blocksPerRead = 16

    /// Where a block is in the fleet store.
    struct BlockAddress: Hashable {
        var day: Int32
        var hostID: Int32
        var part: Int64
        var block: Int64
    }

    /// A block that may hold the id, with the time range of its records.
    struct CandidateBlock: TimeRangedBlock {
        var address: BlockAddress
        var fileID: Int64
        var minTime: Int64
        var maxTime: Int64
        var order: Int64 { Int64(address.hostID) << 48 ^ address.part << 32 ^ address.block }
    }

    /// The blocks that may hold the id, in the window: by the trace index, or by each block's filter.
    private func candidateBlocks(for query: RecordQuery) async throws -> [CandidateBlock] {
        let since = query.since
        let until = query.until
        var blocks: [CandidateBlock] = []
        switch query.key.kind {
        case .trace, .traceOpaque:
            let rows = try await database.client.query("""
                SELECT b.day, b.host_id, b.part, b.block, b.file_id, b.min_time, b.max_time
                FROM tracetail_blocks b
                WHERE (b.day, b.host_id, b.part, b.block) IN (
                        SELECT p.day, p.host_id, p.part, p.block FROM tracetail_postings p
                        WHERE p.keys @> ARRAY[\(FleetSchema.postingKey(query.key))::int4])
                  AND (\(since)::int8 IS NULL OR b.max_time >= \(since)::int8)
                  AND (\(until)::int8 IS NULL OR b.min_time <= \(until)::int8)
                """, logger: logger)
            for try await (day, host, part, block, file, minTime, maxTime) in rows.decode((Int32, Int32, Int64, Int64, Int64, Int64, Int64).self) {
                blocks.append(CandidateBlock(
                    address: BlockAddress(day: day, hostID: host, part: part, block: block), fileID: file,
                    minTime: minTime, maxTime: maxTime))
            }
        default:
            // Span, workflow and task ids: every block's filter in the window is tested here.
            let rows = try await database.client.query("""
                SELECT day, host_id, part, block, file_id, min_time, max_time, filter FROM tracetail_blocks
                WHERE (\(since)::int8 IS NULL OR max_time >= \(since)::int8)
                  AND (\(until)::int8 IS NULL OR min_time <= \(until)::int8)
                """, logger: logger)
            for try await (day, host, part, block, file, minTime, maxTime, filter)
                in rows.decode((Int32, Int32, Int64, Int64, Int64, Int64, Int64, ByteBuffer).self)
            {
                guard BlockFilter(bits: Array(buffer: filter)).mayContain(query.key) else { continue }
                blocks.append(CandidateBlock(
                    address: BlockAddress(day: day, hostID: host, part: part, block: block), fileID: file,
                    minTime: minTime, maxTime: maxTime))
            }
        }
        return blocks
    }

    /// The stored bytes of these blocks (and their payload sizes), in one round trip.
    private func blockData(_ blocks: [CandidateBlock]) async throws -> [BlockAddress: (payloadBytes: Int, data: [UInt8])] {
        let days = blocks.map(\.address.day)
        let hosts = blocks.map(\.address.hostID)
        let parts = blocks.map(\.address.part)
        let ids = blocks.map(\.address.block)
        let rows = try await database.client.query("""
            SELECT b.day, b.host_id, b.part, b.block, b.payload_bytes, b.data
            FROM unnest(\(days)::int4[], \(hosts)::int4[], \(parts)::int8[], \(ids)::int8[]) AS w (day, host_id, part, block)
            JOIN tracetail_blocks b ON b.day = w.day AND b.host_id = w.host_id AND b.part = w.part AND b.block = w.block
            """, logger: logger)
        var out: [BlockAddress: (payloadBytes: Int, data: [UInt8])] = [:]
        for try await (day, host, part, block, payload, data) in rows.decode((Int32, Int32, Int64, Int64, Int32, ByteBuffer).self) {
            out[BlockAddress(day: day, hostID: host, part: part, block: block)] = (Int(payload), Array(buffer: data))
        }
        return out
    }

    // MARK: - Traces

    /// From the trace summaries (128-bit trace ids; read through the `tracetail_traces` view, by
    /// host name and app names): the most recent traces by their last record, with totals over
    /// every host and app (filters pick traces, they do not cut them).
    package func traces(_ query: TraceListQuery) async throws -> TraceList {
        let limit = max(0, query.limit)
        guard limit > 0 else { return TraceList(traces: []) }
        let apps = query.apps.map { Array($0).sorted() }
        let hosts = query.hosts.map { Array($0).sorted() }
        // The window, apps and hosts pick traces (a summary row of the trace meets them); the
        // totals are then over every row of each picked trace, whatever picked it.
        let rows = try await database.client.query("""
            WITH picked AS (
                SELECT DISTINCT p.trace_id FROM tracetail_traces p
                WHERE (\(query.since)::int8 IS NULL OR p.last_time >= timestamptz 'epoch' + \(query.since)::int8 * interval '1 millisecond')
                  AND (\(query.until)::int8 IS NULL OR p.first_time <= timestamptz 'epoch' + \(query.until)::int8 * interval '1 millisecond')
                  AND (\(apps == nil) OR p.apps && \(apps ?? [])::text[])
                  AND (\(hosts == nil) OR p.host = ANY (\(hosts ?? [])::text[]))
            )
            SELECT t.trace_id::text,
                   (extract(epoch FROM min(t.first_time)) * 1000)::int8,
                   (extract(epoch FROM max(t.last_time)) * 1000)::int8,
                   sum(t.records)::int8, sum(t.errors)::int8,
                   (SELECT array_agg(DISTINCT a ORDER BY a) FROM tracetail_traces u, unnest(u.apps) a WHERE u.trace_id = t.trace_id),
                   array_agg(t.host ORDER BY t.host)
            FROM tracetail_traces t JOIN picked USING (trace_id)
            GROUP BY t.trace_id
            HAVING NOT \(query.errorsOnly) OR sum(t.errors) > 0
            ORDER BY max(t.last_time) DESC, t.trace_id
            LIMIT \(Int64(limit))
            """, logger: logger)
        var traces: [TraceSummary] = []
        for try await (id, first, last, records, errors, apps, hosts) in rows.decode((String, Int64, Int64, Int64, Int64, [String], [String]).self) {
            guard let trace = TraceID(id) else { continue }
            traces.append(TraceSummary(
                trace: trace.key, firstTime: first, lastTime: last, records: Int(records), errors: Int(errors),
                apps: apps, hosts: hosts))
        }
        return TraceList(traces: traces)
    }

    // MARK: - Statistics and coverage

    package func statistics() async throws -> StoreStatistics {
        let rows = try await database.client.query("""
            SELECT count(*)::int8, coalesce(sum(records), 0)::int8, coalesce(sum(raw_bytes), 0)::int8,
                   coalesce(sum(length(data)), 0)::int8, min(min_time), max(max_time), count(DISTINCT day)::int8,
                   (SELECT count(*) FROM tracetail_files)::int8,
                   (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c
                    WHERE c.relkind = 'r' AND c.relname LIKE 'tracetail\\_%')
            FROM tracetail_blocks
            """, logger: logger)
        for try await (blocks, records, raw, stored, oldest, newest, days, files, size) in rows.decode(
            (Int64, Int64, Int64, Int64, Int64?, Int64?, Int64, Int64, Int64).self
        ) {
            return StoreStatistics(
                records: records, blocks: blocks, rawBytes: raw, storedBytes: stored, fileBytes: size,
                oldestTime: oldest, newestTime: newest, files: files, partitions: days)
        }
        return StoreStatistics()
    }

    /// Per host name: what it shipped and when it last did, for `/stats` and `tracetail stats`
    /// (a store that replaced another under the name adds to the old one's totals).
    package func hosts() async throws -> [(name: String, blocks: Int64, records: Int64, bytes: Int64, lastShippedAt: Int64?)] {
        let rows = try await database.client.query("""
            SELECT name, sum(blocks)::int8, sum(records)::int8, sum(bytes)::int8,
                   (extract(epoch FROM max(last_shipped_at)) * 1000)::int8
            FROM tracetail_hosts GROUP BY name ORDER BY name
            """, logger: logger)
        var hosts: [(name: String, blocks: Int64, records: Int64, bytes: Int64, lastShippedAt: Int64?)] = []
        for try await (name, blocks, records, bytes, last) in rows.decode((String, Int64, Int64, Int64, Int64?).self) {
            hosts.append((name, blocks, records, bytes, last))
        }
        return hosts
    }

    package func coverage(_ query: CoverageQuery) async throws -> Coverage {
        let fileList = try await files()
        var files: [Int64: FileState] = [:]
        for file in fileList { files[file.id] = file }
        let rows = try await database.client.query("""
            SELECT file_id, payload_bytes, data FROM tracetail_blocks
            WHERE (\(query.since)::int8 IS NULL OR max_time >= \(query.since)::int8)
              AND (\(query.until)::int8 IS NULL OR min_time <= \(query.until)::int8)
            """, logger: logger)
        var tally = Coverage.Tally(query)
        for try await (fileID, payload, data) in rows.decode((Int64, Int32, ByteBuffer).self) {
            guard let file = files[fileID], tally.wants(app: file.app) else { continue }
            do {
                let records = try BlockCodec.decode(stored: Array(buffer: data), payloadBytes: Int(payload), texts: false)
                tally.add(records, app: file.app, stream: file.stream)
            } catch {
                tally.addUnreadable()
            }
        }
        return tally.coverage
    }

    // MARK: - Retention

    /// Drops whole days (both tables of a day): those created longer ago than the age allows,
    /// then the oldest until the fleet store fits its byte budget (the newest day always stays).
    /// A trace's summary goes with the last day holding its records.
    package func prune(_ policy: RetentionPolicy, now: Int64) async throws -> PruneReport {
        var report = PruneReport()
        let rows = try await database.client.query("""
            SELECT d.day::int8,
                   coalesce(pg_total_relation_size(to_regclass('tracetail_blocks_d' || d.day)), 0)::int8
                 + coalesce(pg_total_relation_size(to_regclass('tracetail_postings_d' || d.day)), 0)::int8
            FROM tracetail_days d ORDER BY d.day
            """, logger: logger)
        var days: [(day: Int64, bytes: Int64)] = []
        for try await (day, bytes) in rows.decode((Int64, Int64).self) { days.append((day, bytes)) }
        var doomed: [Int64] = []
        if let maxAge = policy.maxAge {
            // A day goes once all of it is older than the cut-off.
            let cutoff = now - maxAge
            while let first = days.first, days.count > 0, (first.day + 1) * 86_400_000 <= cutoff {
                doomed.append(first.day)
                days.removeFirst()
            }
        }
        if let maxBytes = policy.maxBytes {
            var total = days.reduce(Int64(0)) { $0 + $1.bytes }
            while total > maxBytes, days.count > 1 {
                let first = days.removeFirst()
                total -= first.bytes
                doomed.append(first.day)
            }
        }
        for day in doomed {
            let counted = try await database.client.query(
                "SELECT count(*)::int8, coalesce(sum(records), 0)::int8 FROM tracetail_blocks WHERE day = \(Int32(day))",
                logger: logger)
            for try await (blocks, records) in counted.decode((Int64, Int64).self) {
                report.blocksDeleted += Int(blocks)
                report.recordsDeleted += records
            }
            // The summaries of the traces this day held that no other day holds (by posting key:
            // a trace sharing its key with one still held keeps its summary). Days are days of
            // storing: going by the records' times, as before, a day of history read today lost
            // its summaries at the first drop, its blocks still there. One index probe per other
            // day for each trace of this day: on a large fleet a long statement, so it runs
            // before, and outside, the lock that shippers creating a day take.
            try await database.client.query(PostgresQuery(unsafeSQL: """
                DELETE FROM tracetail_trace_summaries s
                WHERE \(FleetSchema.summaryKeySQL) IN (SELECT unnest(keys) FROM tracetail_postings WHERE day = \(Int32(day)))
                  AND NOT EXISTS (
                      SELECT 1 FROM tracetail_postings p WHERE p.day <> \(Int32(day)) AND p.keys @> ARRAY[\(FleetSchema.summaryKeySQL)])
                """), logger: logger)
            try await database.client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(743302)", logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(FleetSchema.blocksTable(day))"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(FleetSchema.postingsTable(day))"), logger: logger)
                try await connection.query("DELETE FROM tracetail_days WHERE day = \(Int32(day))", logger: logger)
            }
            report.partitionsDropped += 1
        }
        return report
    }
}
