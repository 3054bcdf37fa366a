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

    package init(blockBytes: Int = 128 * 1024, compressionLevel: Int32 = 4, partitionMillis: Int64 = 86_400_000) {
        self.blockBytes = blockBytes
        self.compressionLevel = compressionLevel
        self.partitionMillis = partitionMillis
    }
}
