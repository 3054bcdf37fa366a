import GRDB
import TraceTailCore

extension SQLiteLogStore {
    /// Counts the records of the window per app and stream, reading the blocks whose time range
    /// meets the window (ids only, no text). The cost is that of the window: ask for a day, not a
    /// month, on a big store.
    package func coverage(_ query: CoverageQuery) async throws -> Coverage {
        try await pool.read { db in
            var files: [Int64: (app: String, stream: LogStream)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, app, stream FROM files") {
                files[row["id"]] = (row["app"], LogStream(rawValue: row["stream"]) ?? .out)
            }
            var rows: [String: Coverage.Row] = [:]
            var unreadable = 0
            for partition in try Int64.fetchAll(db, sql: "SELECT id FROM partitions WHERE records > 0 ORDER BY id") {
                var conditions: [String] = []
                var arguments: [any DatabaseValueConvertible] = []
                if let since = query.since { conditions.append("max_time >= ?"); arguments.append(since) }
                if let until = query.until { conditions.append("min_time <= ?"); arguments.append(until) }
                let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let blocks = try Row.fetchCursor(
                    db, sql: "SELECT * FROM \(Self.blocksTable(partition)) \(whereClause)", arguments: StatementArguments(arguments))
                while let block = try blocks.next() {
                    guard let file = files[block["file_id"]] else { continue }
                    if let apps = query.apps, !apps.contains(file.app) { continue }
                    guard let records = readableBlock(block, partition: partition, texts: false) else {
                        unreadable += 1
                        continue
                    }
                    let key = file.app + "\u{0}" + file.stream.rawValue
                    var row = rows[key] ?? Coverage.Row(app: file.app, stream: file.stream)
                    for record in records {
                        if let since = query.since, record.time < since { continue }
                        if let until = query.until, record.time > until { continue }
                        Coverage.count(record, into: &row)
                    }
                    if row.records > 0 { rows[key] = row }
                }
            }
            let sorted = rows.values.sorted { ($0.app, $0.stream.rawValue) < ($1.app, $1.stream.rawValue) }
            return Coverage(rows: sorted, unreadableBlocks: unreadable)
        }
    }
}
