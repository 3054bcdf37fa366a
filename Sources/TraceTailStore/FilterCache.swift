import Synchronization
import TraceTailCore

/// The Bloom filters of each partition's blocks, kept in memory so that a lookup by span,
/// workflow or task id tests every block without reading it. Filters of sealed blocks never
/// change; those of blocks still being filled are read again at each lookup.
///
/// Readers see the database through snapshots of different ages, so what one reader saw may be
/// older than what is cached. Updates are merged under one lock and only ever move forward: a
/// block once cached stays (until its partition goes), a sealed block's filter is final, and a
/// reader that does not see a block (its snapshot is older) takes nothing away.
final class FilterCache: Sendable {
    struct Entry: Sendable {
        var id: Int64
        var minTime: Int64
        var maxTime: Int64
        var filter: BlockFilter
        /// The block was sealed when read: this filter is final.
        var sealed: Bool
    }

    struct Partition: Sendable {
        var entries: [Int64: Entry] = [:]
        /// Every block up to this id has been read (by some reader).
        var lastID: Int64 = 0

        /// Blocks that were still open when read: their filters are refreshed before use.
        var unsettled: [Int64] { entries.values.filter { !$0.sealed }.map(\.id) }
    }

    private let partitions = Mutex<[Int64: Partition]>([:])

    func snapshot(_ partition: Int64) -> Partition {
        partitions.withLock { $0[partition] ?? Partition() }
    }

    /// Merges what one reader saw of a partition (blocks read from its snapshot, every block up
    /// to `through` among them) and returns the merged view.
    func merge(_ partition: Int64, observed: [Entry], through lastID: Int64) -> Partition {
        partitions.withLock { cache in
            var value = cache[partition] ?? Partition()
            for entry in observed {
                if let cached = value.entries[entry.id], cached.sealed { continue }
                value.entries[entry.id] = entry
            }
            value.lastID = max(value.lastID, lastID)
            cache[partition] = value
            return value
        }
    }

    /// Drops partitions that no longer exist.
    func retain(only live: Set<Int64>) {
        partitions.withLock { cache in
            for key in cache.keys where !live.contains(key) { cache[key] = nil }
        }
    }
}
