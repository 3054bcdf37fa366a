import GRDB
import TraceTailCore

extension SQLiteLogStore {
    /// Walks blocks from the newest back, collecting the traces with records in the window (of the
    /// apps asked for), until enough traces are found; then totals all of them together over all
    /// their records, of every app (the list shows whole traces; `app=` only picks them).
    /// Blocks that cannot be decoded are skipped and counted in the answer, which is then partial.
    package func traces(_ query: TraceListQuery) async throws -> TraceList {
        let limit = max(0, query.limit)
        guard limit > 0, query.hosts?.contains(options.hostName) ?? true else { return TraceList(traces: []) }
        return try await read { db in try self.traces(query, limit: limit, db) }
    }

    private func traces(_ query: TraceListQuery, limit: Int, _ db: Database) throws -> TraceList {
        var unreadable = Set<BlockAddress>()
        let files = try self.files(db)
        let (candidates, decoded) = try recentTraces(query, limit: limit, files: files, unreadable: &unreadable, db)
        var totals = try tally(candidates, files: files, decoded: decoded, unreadable: &unreadable, db)
        if query.errorsOnly { totals.removeAll { $0.errors == 0 } }
        totals.sort { a, b in (a.lastTime, b.trace) > (b.lastTime, a.trace) }
        return TraceList(traces: Array(totals.prefix(limit)), unreadableBlocks: unreadable.count)
    }

    /// The traces of the newest records in the window (of the apps asked for), newest first: a few
    /// more than `limit`, since blocks of different files overlap in time and the totals sort them.
    /// With them, the blocks decoded to find them, which the totals then need not decode again.
    private func recentTraces(
        _ query: TraceListQuery, limit: Int, files: [Int64: FileState], unreadable: inout Set<BlockAddress>,
        _ db: Database
    ) throws -> (traces: [IDKey], decoded: [BlockAddress: [IndexedRecord]]) {
        var decoded: [BlockAddress: [IndexedRecord]] = [:]
        var found: [IDKey] = []
        var seen = Set<IDKey>()
        // Partitions are days of storing: the one with the newest records first.
        let partitions = try Int64.fetchAll(
            db, sql: "SELECT id FROM partitions WHERE records > 0 ORDER BY max_time DESC, id DESC")
        for partition in partitions {
            for id in try newestBlockIDs(of: partition, since: query.since, until: query.until, db) {
                guard let row = try block(id, of: partition, db) else { continue }
                if let apps = query.apps, !apps.contains(files[row["file_id"]]?.app ?? "") { continue }
                let address = BlockAddress(partition: partition, block: row["id"])
                guard let records = readableBlock(row, partition: partition, texts: false) else {
                    unreadable.insert(address)
                    continue
                }
                decoded[address] = records
                for record in records.reversed() {
                    guard let trace = record.trace, !seen.contains(trace) else { continue }
                    if let since = query.since, record.time < since { continue }
                    if let until = query.until, record.time > until { continue }
                    seen.insert(trace)
                    found.append(trace)
                }
                if found.count >= limit * 2 + 16 { return (found, decoded) }
            }
        }
        return (found, decoded)
    }

    /// Each trace's totals over all its records: the blocks that hold any of
    /// them are found in one index query per partition and each decoded once, however many of the
    /// traces it holds. A record counts for every trace it carries, as a lookup finds it.
    private func tally(
        _ traces: [IDKey], files: [Int64: FileState], decoded: [BlockAddress: [IndexedRecord]],
        unreadable: inout Set<BlockAddress>, _ db: Database
    ) throws -> [TraceSummary] {
        guard !traces.isEmpty else { return [] }
        let wanted = Set(traces)
        var totals: [IDKey: Totals] = [:]
        let keys = Array(Set(traces.map(\.indexValue)))
        let recent = try recentPostings.view(db)
        for partition in try Int64.fetchAll(db, sql: "SELECT id FROM partitions WHERE records > 0") {
            var damagedPages = 0
            let ids = try traceBlocks(partition: partition, keys: keys, recent: recent, db, damagedPages: &damagedPages)
            // A damaged index page: the blocks it lists are not counted, and the list says it is
            // partial (counted as one unreadable block of the partition, under an id no block has).
            if damagedPages > 0 { unreadable.insert(BlockAddress(partition: partition, block: -1)) }
            guard !ids.isEmpty else { continue }
            let blocks = try Row.fetchCursor(db, sql: """
                SELECT * FROM \(Self.blocksTable(partition)) WHERE id IN (\(ids.map(String.init).joined(separator: ",")))
                """)
            while let row = try blocks.next() {
                guard let file = files[row["file_id"]] else { continue }
                let address = BlockAddress(partition: partition, block: row["id"])
                guard let records = decoded[address] ?? readableBlock(row, partition: partition, texts: false) else {
                    unreadable.insert(address)
                    continue
                }
                for record in records {
                    for trace in record.allTraces where wanted.contains(trace) {
                        totals[trace, default: Totals()].add(record, file: file)
                    }
                }
            }
        }
        return totals.map { trace, total in
            TraceSummary(
                trace: trace, firstTime: total.first, lastTime: total.last, records: total.records,
                errors: total.errors, apps: total.apps.sorted(), hosts: [options.hostName])
        }
    }

    /// One trace's running totals.
    private struct Totals {
        var first = Int64.max
        var last = Int64.min
        var records = 0
        var errors = 0
        var apps: Set<String> = []

        mutating func add(_ record: IndexedRecord, file: FileState) {
            first = min(first, record.time)
            last = max(last, record.time)
            records += 1
            if StoredRecord(record: record, file: file).isError { errors += 1 }
            apps.insert(file.app)
        }
    }
}
