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
            var tally = Coverage.Tally(query)
            for partition in try Int64.fetchAll(db, sql: "SELECT id FROM partitions WHERE records > 0 ORDER BY id") {
                var conditions: [String] = []
                var arguments: [any DatabaseValueConvertible] = []
                if let since = query.since { conditions.append("max_time >= ?"); arguments.append(since) }
                if let until = query.until { conditions.append("min_time <= ?"); arguments.append(until) }
                let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let blocks = try Row.fetchCursor(
                    db, sql: "SELECT * FROM \(Self.blocksTable(partition)) \(whereClause)", arguments: StatementArguments(arguments))
                while let block = try blocks.next() {
                    guard let file = files[block["file_id"]], tally.wants(app: file.app) else { continue }
                    guard let records = readableBlock(block, partition: partition, texts: false) else {
                        tally.addUnreadable()
                        continue
                    }
                    tally.add(records, app: file.app, stream: file.stream)
                }
            }
            return tally.coverage
        }
    }
}
