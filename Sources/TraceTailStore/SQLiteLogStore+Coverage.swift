import GRDB
import TraceTailCore

extension SQLiteLogStore {
    /// Counts the records of the window per app and stream, reading the blocks whose time range
    /// meets the window (ids only, no text). The cost is that of the window: ask for a day, not a
    /// month, on a big store.
    package func coverage(_ query: CoverageQuery) async throws -> Coverage {
        try await read { db in
            let files = try self.files(db)
            var tally = Coverage.Tally(query)
            for partition in try Int64.fetchAll(db, sql: "SELECT id FROM partitions WHERE records > 0 ORDER BY id") {
                let blocks = try self.blocks(of: partition, since: query.since, until: query.until, db)
                while let block = try blocks.next() {
                    guard let file = files[block["file_id"]], tally.wants(app: file.app) else { continue }
                    guard let records = self.readableBlock(block, partition: partition, texts: false) else {
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
