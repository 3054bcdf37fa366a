import Synchronization
import TraceTailCore

/// The Bloom filters of each partition's blocks, kept in memory so that a lookup by span,
/// workflow or task id tests every block without reading it. Filters of sealed blocks never
/// change; those of blocks still being filled are read again at each lookup.
final class FilterCache: Sendable {
    struct Entry {
        var id: Int64
        var minTime: Int64
        var maxTime: Int64
        var filter: BlockFilter
    }

    struct Partition {
        var entries: [Entry] = []
        var lastID: Int64 = 0
        /// Blocks that were still open when read: their filters are refreshed before use.
        var unsettled: Set<Int64> = []
    }

    private let partitions = Mutex<[Int64: Partition]>([:])

    func snapshot(_ partition: Int64) -> Partition {
        partitions.withLock { $0[partition] ?? Partition() }
    }

    func store(_ partition: Int64, _ value: Partition) {
        partitions.withLock { $0[partition] = value }
    }

    /// Drops partitions that no longer exist.
    func retain(only live: Set<Int64>) {
        partitions.withLock { cache in
            for key in cache.keys where !live.contains(key) { cache[key] = nil }
        }
    }
}
