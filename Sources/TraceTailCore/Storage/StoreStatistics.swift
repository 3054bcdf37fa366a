package struct StoreStatistics: Sendable, Equatable, Codable {
    package var records: Int64
    package var blocks: Int64
    package var rawBytes: Int64
    package var storedBytes: Int64
    /// The database file's size on disk, with its write-ahead log.
    package var fileBytes: Int64
    package var oldestTime: Int64?
    package var newestTime: Int64?
    package var files: Int64
    package var partitions: Int64

    package init(
        records: Int64 = 0, blocks: Int64 = 0, rawBytes: Int64 = 0, storedBytes: Int64 = 0, fileBytes: Int64 = 0,
        oldestTime: Int64? = nil, newestTime: Int64? = nil, files: Int64 = 0, partitions: Int64 = 0
    ) {
        self.records = records
        self.blocks = blocks
        self.rawBytes = rawBytes
        self.storedBytes = storedBytes
        self.fileBytes = fileBytes
        self.oldestTime = oldestTime
        self.newestTime = newestTime
        self.files = files
        self.partitions = partitions
    }
}
