import GRDB
import Synchronization

/// The trace index's newest rows, as readers see them.
///
/// The writer appends each commit's index rows to `recent_postings`, a table in insertion order
/// with no index, and writes them as a sorted run (`PostingPages`, `runpages_<p>`) once
/// `StoreOptions.recentPostingsLimit` of them have gathered (`SQLiteLogStore.mergeRecentPostings`).
/// Inserting random keys into a large B-tree commit by commit dirtied about one page per row: on
/// 2M records, most of the 862 MB the ingest wrote for a 58 MB store. Appending costs a page per
/// few hundred rows, and a run is written in key order to one place of its table, each page
/// about once.
///
/// Readers find the recent rows here: an in-memory copy of the table, sorted by key, brought up to
/// date from each reader's snapshot (rows with a higher id than the copy holds; the writer never
/// gives an id twice). Readers see the database through snapshots of different ages, so the copy
/// may be ahead of a reader; holding a row of a block the reader cannot see yet costs nothing (the
/// block is not found). What must not happen is a reader missing a row: after a merge
/// (`merged_through` moved on) the copy starts again from the newer snapshot, and a reader whose
/// snapshot is older than the copy's merge reads the table itself for its one lookup.
final class RecentPostings: Sendable {
    struct Entry: Sendable, Comparable {
        var key: Int64
        var partition: Int64
        var block: Int64

        static func < (a: Entry, b: Entry) -> Bool { (a.key, a.partition, a.block) < (b.key, b.partition, b.block) }
    }

    struct State: Sendable {
        /// The merge this copy follows: every row up to this id is in a run.
        var mergedThrough: Int64 = -1
        /// The highest row id copied.
        var lastID: Int64 = 0
        /// Sorted by key.
        var sorted: [Entry] = []
        /// Copied since the last sort.
        var tail: [Entry] = []

        mutating func add(_ entries: [Entry]) {
            tail += entries
            // Merged into the sorted rows once the tail is a sixteenth of them: each row is copied
            // about 16 times over the copy's life, and a lookup scans at most that many unsorted.
            guard tail.count > max(1024, sorted.count / 16) else { return }
            tail.sort()
            if sorted.isEmpty {
                swap(&sorted, &tail)
                return
            }
            var merged: [Entry] = []
            merged.reserveCapacity(sorted.count + tail.count)
            var i = 0
            var j = 0
            while i < sorted.count, j < tail.count {
                if tail[j] < sorted[i] {
                    merged.append(tail[j]); j += 1
                } else {
                    merged.append(sorted[i]); i += 1
                }
            }
            merged += sorted[i...]
            merged += tail[j...]
            sorted = merged
            tail = []
        }

        func blocks(partition: Int64, keys: [Int64]) -> [Int64] {
            var out: [Int64] = []
            for key in keys {
                var low = 0
                var high = sorted.count
                while low < high {
                    let middle = (low + high) / 2
                    if sorted[middle].key < key { low = middle + 1 } else { high = middle }
                }
                while low < sorted.count, sorted[low].key == key {
                    if sorted[low].partition == partition { out.append(sorted[low].block) }
                    low += 1
                }
            }
            let wanted = Set(keys)
            for entry in tail where entry.partition == partition && wanted.contains(entry.key) { out.append(entry.block) }
            return out
        }
    }

    private let state = Mutex(State())
    /// Held while a reader brings the copy up to date, so that after a restart one reader loads
    /// the table (up to `recentPostingsLimit` rows) and the others then read only what is newer.
    private let loading = Mutex(())

    /// How many rows the copy holds (for tests and statistics).
    var count: Int { state.withLock { $0.sorted.count + $0.tail.count } }

    /// The recent index rows as one snapshot has them (or more), for every partition a lookup asks
    /// about: the copy, or, for a snapshot older than the merge the copy follows, the table.
    enum View {
        case copy(State)
        case table

        func blocks(partition: Int64, keys: [Int64], _ db: Database) throws -> [Int64] {
            guard !keys.isEmpty else { return [] }
            switch self {
            case .copy(let state):
                return state.blocks(partition: partition, keys: keys)
            case .table:
                let list = keys.map(String.init).joined(separator: ",")
                return try Int64.fetchAll(
                    db, sql: "SELECT block FROM recent_postings WHERE partition = ? AND key IN (\(list))", arguments: [partition])
            }
        }
    }

    /// Brings the copy up to date with this snapshot (once per lookup, not per partition) and
    /// returns what the lookup reads.
    func view(_ db: Database) throws -> View {
        let mergedThrough = try Self.mergedThrough(db)
        return try loading.withLock { _ in
            var (cached, lastID) = state.withLock { ($0.mergedThrough, $0.lastID) }
            // This snapshot is older than the merge the copy follows: the table, for this lookup.
            guard cached <= mergedThrough else { return .table }
            if cached < mergedThrough { lastID = mergedThrough }
            // Read by cursor into plain values: up to `recentPostingsLimit` rows the first time, and
            // a `Row` each would be about 13 MB at once.
            var rows: [(id: Int64, entry: Entry)] = []
            let cursor = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT id, partition, key, block FROM recent_postings WHERE id > ? ORDER BY id"),
                arguments: [lastID])
            while let row = try cursor.next() {
                rows.append((row[0], Entry(key: row[2], partition: row[1], block: row[3])))
            }
            return state.withLock { state in
                if state.mergedThrough < mergedThrough {
                    state = State(mergedThrough: mergedThrough, lastID: mergedThrough)
                }
                var fresh: [Entry] = []
                fresh.reserveCapacity(rows.count)
                for (id, entry) in rows where id > state.lastID {
                    fresh.append(entry)
                    state.lastID = id
                }
                if !fresh.isEmpty { state.add(fresh) }
                // A copy of the state is a copy of two array references until the next change.
                return .copy(state)
            }
        }
    }

    /// The id through which rows have been merged into runs, in this snapshot.
    static func mergedThrough(_ db: Database) throws -> Int64 {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'postings_merged_through'")
        ).flatMap { Int64($0) } ?? 0
    }
}
