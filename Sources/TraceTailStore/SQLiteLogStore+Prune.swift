import GRDB
import TraceTailCore

extension SQLiteLogStore {
    /// Drops whole partitions stored longer ago than the policy's age, then the partitions stored
    /// first (or, in the last one, the oldest blocks) until the store fits its byte budget. Both go
    /// by when data was stored, never by the times records carry: a record dated 2100 goes with
    /// the day it was stored, and history read today stays for `maxAge` from today. Space is given
    /// back by incremental vacuum in small steps, so the writer is never held for long; readers
    /// never wait.
    package func prune(_ policy: RetentionPolicy, now: Int64) async throws -> PruneReport {
        var report = try await database.write { db in try self.prune(policy, now: now, db) }
        if report.partitionsDropped > 0 || report.blocksDeleted > 0 {
            // The prune is committed: a failure to give the pages back (the disk full, when
            // max_bytes matters most) must not lose its report (what was dropped, unshipped
            // records among it). The pages stay free inside the file, for the next writes, and the
            // next prune tries again.
            do {
                report.bytesFreed = try await reclaimSpace()
            } catch {
                logger.warning("pruned, but could not give the freed pages back to the file system", metadata: ["error": "\(error)"])
            }
        }
        return report
    }

    private func prune(_ policy: RetentionPolicy, now: Int64, _ db: Database) throws -> PruneReport {
        var report = PruneReport()
        // Stored first, first. (Partitions are days of storing; a store from before that kept days
        // of record time, whose ids do not follow the order of storing: `stored_at` does.)
        var partitions = try Row.fetchAll(
            db, sql: "SELECT id, min_time, max_time, records, stored_bytes, stored_at FROM partitions ORDER BY stored_at, id")
        if let maxAge = policy.maxAge {
            // A partition goes once its last write is older than the cut-off.
            // When shipping, a partition the fleet store has not acknowledged in full stays: age
            // alone never deletes an unshipped record.
            let cutoff = now - maxAge
            var held = Set<Int64>()
            if options.keepUnshipped {
                for partition in partitions where (partition["stored_at"] as Int64) < cutoff {
                    let id: Int64 = partition["id"]
                    if try Self.unshippedRecords(partition: id, db) > 0 { held.insert(id) }
                }
            }
            func expired(_ partition: Row) -> Bool {
                (partition["stored_at"] as Int64) < cutoff && !held.contains(partition["id"] as Int64)
            }
            for partition in partitions where expired(partition) {
                try dropPartition(partition, db, &report)
            }
            partitions.removeAll(where: expired)
        }
        if let maxBytes = policy.maxBytes {
            var total = partitions.reduce(Int64(0)) { $0 + ($1["stored_bytes"] as Int64) }
            while total > maxBytes, partitions.count > 1 {
                let oldest = partitions.removeFirst()
                total -= oldest["stored_bytes"] as Int64
                try dropPartition(oldest, db, &report)
            }
            if total > maxBytes, let last = partitions.first {
                // One partition left and still too big: delete its oldest blocks, but never a block
                // that a file is still filling.
                let partition: Int64 = last["id"]
                let excess = total - maxBytes
                // The oldest sealed blocks, in id order, until their sizes add up to the excess.
                let ids = try Int64.fetchAll(db, sql: """
                    SELECT id FROM (
                        SELECT id, length(data) AS size, sum(length(data)) OVER (ORDER BY id) AS running
                        FROM \(Self.blocksTable(partition))
                        WHERE id NOT IN (SELECT block FROM open_blocks WHERE partition = ?)
                    ) WHERE running - size < ?
                    """, arguments: [partition, excess])
                if !ids.isEmpty {
                    try deleteBlocks(in: partition, where: "id IN (\(ids.map(String.init).joined(separator: ",")))", db, &report)
                }
            }
        }
        return report
    }

    private func dropPartition(_ partition: Row, _ db: Database, _ report: inout PruneReport) throws {
        let id: Int64 = partition["id"]
        report.unshippedRecordsDropped += try Self.unshippedRecords(partition: id, db)
        try db.execute(sql: "DELETE FROM shipping WHERE partition = ?", arguments: [id])
        try db.execute(sql: "DROP TABLE IF EXISTS \(Self.blocksTable(id))")
        try db.execute(sql: "DROP TABLE IF EXISTS \(Self.postingsTable(id))")
        try db.execute(sql: "DROP TABLE IF EXISTS \(Self.runsTable(id))")
        try db.execute(sql: "DROP TABLE IF EXISTS \(Self.runPagesTable(id))")
        try db.execute(sql: "DELETE FROM posting_runs WHERE partition = ?", arguments: [id])
        // Its rows in `recent_postings` stay until the next merge, which skips them: deleting them
        // could hand their ids out again, and readers follow that table by id.
        try db.execute(sql: "DELETE FROM partitions WHERE id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM open_blocks WHERE partition = ?", arguments: [id])
        writer.knownPartitions.remove(id)
        writer.open = writer.open.filter { $0.value.partition != id }
        report.partitionsDropped += 1
        report.recordsDeleted += partition["records"] as Int64
    }

    /// Deletes some blocks of a partition. Their index rows stay until the partition is dropped;
    /// lookups skip index rows whose block is gone.
    private func deleteBlocks(in partition: Int64, where condition: String, _ db: Database, _ report: inout PruneReport) throws {
        let table = Self.blocksTable(partition)
        let open = "id NOT IN (SELECT block FROM open_blocks WHERE partition = \(partition))"
        guard let totals = try Row.fetchOne(db, sql: """
            SELECT count(*) AS blocks, coalesce(sum(records), 0) AS records, coalesce(sum(raw_bytes), 0) AS raw,
                   coalesce(sum(length(data)), 0) AS stored
            FROM \(table) WHERE \(condition) AND \(open)
            """), (totals["blocks"] as Int64) > 0
        else { return }
        let doomed = try Int64.fetchAll(db, sql: "SELECT id FROM \(table) WHERE \(condition) AND \(open)")
            .map(String.init).joined(separator: ",")
        report.unshippedRecordsDropped += try Self.unshippedRecords(partition: partition, blocks: doomed, db)
        try db.execute(sql: "DELETE FROM shipping WHERE partition = ? AND block IN (\(doomed))", arguments: [partition])
        try db.execute(sql: "DELETE FROM \(table) WHERE \(condition) AND \(open)")
        let bounds = try Row.fetchOne(db, sql: "SELECT min(min_time) AS lo, max(max_time) AS hi FROM \(table)")
        try db.execute(
            sql: """
                UPDATE partitions SET blocks = blocks - ?, records = records - ?, raw_bytes = raw_bytes - ?,
                    stored_bytes = stored_bytes - ?, min_time = coalesce(?, min_time), max_time = coalesce(?, max_time)
                WHERE id = ?
                """,
            arguments: [
                totals["blocks"] as Int64, totals["records"] as Int64, totals["raw"] as Int64,
                totals["stored"] as Int64, bounds?["lo"] as Int64?, bounds?["hi"] as Int64?, partition,
            ])
        report.blocksDeleted += Int(totals["blocks"] as Int64)
        report.recordsDeleted += totals["records"] as Int64
    }

    /// Returns freed pages to the file system, a few megabytes per write transaction.
    private func reclaimSpace() async throws -> Int64 {
        var freed: Int64 = 0
        while true {
            let step: Int64 = try await database.writeWithoutTransaction { db in
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                let before = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                guard before > 0 else { return 0 }
                try db.execute(sql: "PRAGMA incremental_vacuum(2048)")
                let after = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                return (before - after) * pageSize
            }
            guard step > 0 else { break }
            freed += step
        }
        _ = try? await database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
        }
        return freed
    }
}
