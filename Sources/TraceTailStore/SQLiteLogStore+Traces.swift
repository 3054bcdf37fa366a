import GRDB
import TraceTailCore

extension SQLiteLogStore {
    /// Walks blocks from the newest back, collecting the traces whose records fall in the window,
    /// until `limit` traces are found; then totals each of them over all its records.
    /// Blocks that cannot be decoded are skipped and counted in the answer, which is then partial.
    package func traces(_ query: TraceListQuery) async throws -> TraceList {
        let limit = max(0, query.limit)
        guard limit > 0, query.hosts?.contains(options.hostName) ?? true else { return TraceList(traces: []) }
        return try await pool.read { db in try self.traces(query, limit: limit, db) }
    }

    private func traces(_ query: TraceListQuery, limit: Int, _ db: Database) throws -> TraceList {
        var unreadable = Set<BlockAddress>()
        let candidates: [IDKey] = try {
            var found: [IDKey] = []
            var seen = Set<IDKey>()
            // Partitions are days of storing: the one with the newest records first.
            let partitions = try Int64.fetchAll(db, sql: "SELECT id FROM partitions WHERE records > 0 ORDER BY max_time DESC, id DESC")
            let files = try Row.fetchAll(db, sql: "SELECT id, app FROM files")
            var appOf: [Int64: String] = [:]
            for row in files { appOf[row["id"]] = row["app"] }
            for partition in partitions {
                var conditions: [String] = []
                var arguments: [any DatabaseValueConvertible] = []
                if let since = query.since { conditions.append("max_time >= ?"); arguments.append(since) }
                if let until = query.until { conditions.append("min_time <= ?"); arguments.append(until) }
                let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT * FROM \(Self.blocksTable(partition)) \(whereClause) ORDER BY max_time DESC",
                    arguments: StatementArguments(arguments))
                while let row = try rows.next() {
                    let fileID: Int64 = row["file_id"]
                    if let apps = query.apps, !apps.contains(appOf[fileID] ?? "") { continue }
                    guard let records = readableBlock(row, partition: partition, texts: false) else {
                        unreadable.insert(BlockAddress(partition: partition, block: row["id"]))
                        continue
                    }
                    for record in records.reversed() {
                        guard let trace = record.trace, !seen.contains(trace) else { continue }
                        if let since = query.since, record.time < since { continue }
                        if let until = query.until, record.time > until { continue }
                        seen.insert(trace)
                        found.append(trace)
                    }
                    // Blocks overlap in time across files: read a few more than needed, then sort.
                    if found.count >= limit * 2 + 16 { return found }
                }
            }
            return found
        }()
        var summaries: [TraceSummary] = []
        for trace in candidates {
            let (page, skipped) = try lookup(RecordQuery(key: trace, apps: query.apps, limit: 100_000), db)
            unreadable.formUnion(skipped)
            guard let first = page.records.first, let last = page.records.last else { continue }
            let errors = page.records.filter(\.isError).count
            if query.errorsOnly && errors == 0 { continue }
            summaries.append(TraceSummary(
                trace: trace, firstTime: first.record.time, lastTime: last.record.time, records: page.records.count,
                errors: errors, apps: Array(Set(page.records.map(\.file.app))).sorted(), hosts: [options.hostName]))
        }
        summaries.sort { $0.lastTime != $1.lastTime ? $0.lastTime > $1.lastTime : $0.trace < $1.trace }
        return TraceList(traces: Array(summaries.prefix(limit)), unreadableBlocks: unreadable.count)
    }
}
