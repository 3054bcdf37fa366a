import Foundation
import GRDB
import TraceTailCore

/// The store as the source of a shipper: the `shipping` ledger, written with every block, says
/// which records of which block the fleet store has acknowledged.
extension SQLiteLogStore: ShipSource {
    package func unshippedBlocks(limit: Int, maxBytes: Int) async throws -> [ShipmentBlock] {
        let partitionMillis = options.partitionMillis
        return try await database.read { db in
            // A cursor, not a LIMIT: ledger rows whose block is gone (pruned) are passed over and
            // must not use up the batch, or a run of them would stall shipping for good.
            let pending = try Row.fetchCursor(
                db, sql: "SELECT partition, block, shipped FROM shipping WHERE records > shipped ORDER BY partition, block")
            var blocks: [ShipmentBlock] = []
            var files: [Int64: FileState] = [:]
            var bytes = 0
            while blocks.count < max(1, limit), let entry = try pending.next() {
                let partition: Int64 = entry["partition"]
                let id: Int64 = entry["block"]
                guard try db.tableExists(Self.blocksTable(partition)), let row = try self.block(id, of: partition, db) else { continue }
                let fileID: Int64 = row["file_id"]
                if files[fileID] == nil {
                    files[fileID] = try FileRecord.fetchOne(db, key: fileID)?.state(host: options.hostName)
                }
                guard let file = files[fileID] else { continue }
                let data = Array(row["data"] as Data)
                blocks.append(ShipmentBlock(
                    partition: partition, block: id, day: Self.floorDiv(partition * partitionMillis, 86_400_000),
                    file: file, firstOffset: row["first_offset"], endOffset: row["end_offset"],
                    minTime: row["min_time"], maxTime: row["max_time"], records: row["records"],
                    rawBytes: row["raw_bytes"], payloadBytes: row["payload_bytes"],
                    filter: Array(row["filter"] as Data), data: data, acknowledged: entry["shipped"]))
                bytes += data.count
                if bytes >= maxBytes { break }
            }
            return blocks
        }
    }

    package func acknowledge(_ acknowledgements: [ShipmentAcknowledgement]) async throws {
        guard !acknowledgements.isEmpty else { return }
        try await database.write { db in
            for ack in acknowledgements {
                try db.cachedStatement(sql: "UPDATE shipping SET shipped = max(shipped, ?) WHERE partition = ? AND block = ?")
                    .execute(arguments: [ack.records, ack.partition, ack.block])
            }
            // Remembered apart from the ledger, whose rows go when their blocks are pruned.
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('has_shipped', '1')").execute()
        }
    }

    package func storeID() async throws -> String {
        try await database.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'") else {
                throw StoreError(.open, path: self.path, detail: "the store has no store id (meta table)")
            }
            return id
        }
    }

    /// Whether the fleet store ever acknowledged a block of this store: kept in `meta` when the
    /// first acknowledgement comes, so that pruning every shipped block does not make the store
    /// look like one that never shipped (a host upgraded from fleet schema 1 claims its old row by it).
    package func hasShipped() async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'has_shipped') OR EXISTS (SELECT 1 FROM shipping WHERE shipped > 0)
                """) ?? false
        }
    }

    package func shippingBacklog() async throws -> ShippingBacklog {
        try await database.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS blocks, coalesce(sum(records - shipped), 0) AS records,
                       coalesce(sum(bytes), 0) AS bytes, min(since) AS oldest
                FROM shipping WHERE records > shipped
                """)!
            return ShippingBacklog(blocks: row["blocks"], records: row["records"], bytes: row["bytes"], oldestStoredAt: row["oldest"])
        }
    }

    /// Records of a partition (or of some of its blocks) not yet acknowledged by the fleet store.
    static func unshippedRecords(partition: Int64, blocks: String? = nil, _ db: Database) throws -> Int64 {
        let only = blocks.map { " AND block IN (\($0))" } ?? ""
        return try Int64.fetchOne(
            db, sql: "SELECT coalesce(sum(records - shipped), 0) FROM shipping WHERE partition = ? AND records > shipped\(only)",
            arguments: [partition]) ?? 0
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }
}
