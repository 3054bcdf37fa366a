/// The one interface between tracetail's parts and its storage. The tailer writes through it and
/// the HTTP layer and CLI read through it; neither sees SQL. A shared database for a fleet of hosts
/// is another implementation of this protocol.
package protocol LogStore: Sendable {
    /// Every file the store has positions for.
    func files() async throws -> [FileState]

    /// Registers a file the tailer starts following; returns it with its id assigned.
    func register(_ file: FileState) async throws -> FileState

    /// Stores records and the new positions of the files they came from, atomically: after a crash
    /// either both are there or neither is.
    func append(_ batch: IngestBatch) async throws

    /// The records found by an id, in time order, filtered and paged.
    func records(_ query: RecordQuery) async throws -> RecordPage

    /// The most recent traces, newest first (by their last record), with their totals.
    func traces(_ query: TraceListQuery) async throws -> TraceList

    /// Figures for `tracetail stats` and `/stats`.
    func statistics() async throws -> StoreStatistics

    /// How much of what each app wrote in a window carries trace context (`GET /coverage`).
    func coverage(_ query: CoverageQuery) async throws -> Coverage

    /// Deletes data older than the policy allows, and gives the space back.
    func prune(_ policy: RetentionPolicy, now: Int64) async throws -> PruneReport
}

/// Records read from files, with the files' new positions.
package struct IngestBatch: Sendable {
    package struct Entry: Sendable {
        package var fileID: Int64
        package var record: IndexedRecord

        package init(fileID: Int64, record: IndexedRecord) {
            self.fileID = fileID
            self.record = record
        }
    }

    package var records: [Entry]
    /// The files' states after these records: positions, fingerprints, counters.
    package var files: [FileState]
    /// When the batch is stored (ms since the epoch): the partition its records go to, and what
    /// retention goes by (never the records' own times).
    package var storedAt: Int64

    package init(records: [Entry] = [], files: [FileState] = [], storedAt: Int64) {
        self.records = records
        self.files = files
        self.storedAt = storedAt
    }

    package var isEmpty: Bool { records.isEmpty && files.isEmpty }
}
