/// How the SQLite store lays out and compresses its data.
package struct StoreOptions: Sendable, Equatable {
    /// Raw text per block before it is sealed. Larger blocks compress better; smaller ones make a
    /// lookup inflate less. See docs/storage.md for the measurements behind the default.
    package var blockBytes: Int
    /// zlib level for blocks (1 fastest ... 9 smallest).
    package var compressionLevel: Int32
    /// Partition width in milliseconds of storing time (not record time): one block table and one
    /// index table per partition, so that dropping old data is dropping tables.
    package var partitionMillis: Int64
    /// The name records read from this store carry as their `host`.
    package var hostName: String
    /// Shipping to a fleet store is on: retention by age keeps a partition that holds records the
    /// fleet store has not acknowledged (the byte budget still goes first, and counts them).
    package var keepUnshipped: Bool
    /// Trace index rows gathered in `recent_postings` before they are written as a sorted run of
    /// their partition's `runpages_<p>`: more means fewer and larger runs (less writing, fewer probes)
    /// and a larger in-memory copy for readers (24 bytes a row).
    package var recentPostingsLimit: Int
    /// Keys of the 32-bit key space one merge slice of the trace index copies per commit. nil (the
    /// default) adapts the width to the time a slice takes, from a 256th to a 16th of the space;
    /// a fixed width makes a merge take a known number of commits whatever the machine's speed
    /// (tests that wait for a merge to finish: an adapted width on a loaded machine took 256).
    package var mergeSliceKeys: Int64?

    package init(
        blockBytes: Int = 128 * 1024, compressionLevel: Int32 = 6, partitionMillis: Int64 = 86_400_000,
        hostName: String = "", keepUnshipped: Bool = false, recentPostingsLimit: Int = 131_072,
        mergeSliceKeys: Int64? = nil
    ) {
        self.recentPostingsLimit = recentPostingsLimit
        self.mergeSliceKeys = mergeSliceKeys
        self.blockBytes = blockBytes
        self.compressionLevel = compressionLevel
        self.partitionMillis = partitionMillis
        self.hostName = hostName
        self.keepUnshipped = keepUnshipped
    }
}
