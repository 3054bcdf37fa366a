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

/// Which records to read.
package struct RecordQuery: Sendable {
    package enum Order: String, Sendable { case ascending = "asc", descending = "desc" }

    /// The id the records are found by (trace, span, workflow or task).
    package var key: IDKey
    package var since: Int64?
    package var until: Int64?
    package var minimumLevel: LogLevel?
    package var apps: Set<String>?
    /// Only records of these hosts (`host=`); nil: every host.
    package var hosts: Set<String>?
    /// Only records whose span id is this one (for trace queries filtered by span).
    package var span: IDKey?
    package var limit: Int
    package var after: RecordCursor?
    package var order: Order
    /// A further test on each record (the message filter, say), applied before the limit.
    package var predicate: (@Sendable (IndexedRecord, FileState) -> Bool)?

    package init(
        key: IDKey, since: Int64? = nil, until: Int64? = nil, minimumLevel: LogLevel? = nil,
        apps: Set<String>? = nil, span: IDKey? = nil, limit: Int = 1000, after: RecordCursor? = nil,
        order: Order = .ascending
    ) {
        self.key = key
        self.since = since
        self.until = until
        self.minimumLevel = minimumLevel
        self.apps = apps
        self.span = span
        self.limit = limit
        self.after = after
        self.order = order
    }
}

extension RecordQuery {
    /// Whether a record of `file` is in the answer: found by the key, and through every filter
    /// (the rule both stores apply, before the limit).
    package func admits(_ record: IndexedRecord, file: FileState) -> Bool {
        guard record.matches(key) else { return false }
        if let since, record.time < since { return false }
        if let until, record.time > until { return false }
        if let apps, !apps.contains(file.app) { return false }
        if let hosts, !hosts.contains(file.host) { return false }
        if let span, record.span != span { return false }
        // A record with no level of its own counts as an error on stderr, as info on stdout.
        if let minimumLevel, LogLevel.effective(record.level, stream: file.stream) < minimumLevel { return false }
        if let predicate, !predicate(record, file) { return false }
        return true
    }
}

/// A position in a time-ordered list of records: the sort key of the last record returned.
package struct RecordCursor: Sendable, Hashable, Comparable {
    package var time: Int64
    package var fileID: Int64
    package var offset: Int64

    package init(time: Int64, fileID: Int64, offset: Int64) {
        self.time = time
        self.fileID = fileID
        self.offset = offset
    }

    package static func < (lhs: RecordCursor, rhs: RecordCursor) -> Bool {
        (lhs.time, lhs.fileID, lhs.offset) < (rhs.time, rhs.fileID, rhs.offset)
    }

    /// An opaque text form for APIs: `time.file.offset` in base 10.
    package var token: String { "\(time).\(fileID).\(offset)" }

    package init?(token: some StringProtocol) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let time = Int64(parts[0]), let file = Int64(parts[1]), let offset = Int64(parts[2]),
              file >= 0, offset >= 0
        else { return nil }
        self.init(time: time, fileID: file, offset: offset)
    }
}

/// A record read back, with the file it came from.
package struct StoredRecord: Sendable, Equatable {
    package var record: IndexedRecord
    package var file: FileState

    package init(record: IndexedRecord, file: FileState) {
        self.record = record
        self.file = file
    }

    package var cursor: RecordCursor {
        RecordCursor(time: record.time, fileID: file.id, offset: record.startOffset)
    }
}

/// One page of records.
package struct RecordPage: Sendable {
    package var records: [StoredRecord]
    /// Where the next page starts, when a limit cut the list.
    package var next: RecordCursor?
    /// Blocks that may hold matching records but could not be decoded (damaged on disk): when
    /// above 0 the page is partial, and an answer built from it must say so.
    package var unreadableBlocks: Int
    /// Records added because they share a workflow or task id with the page's records but carry
    /// no trace id (`include=related`), by cursor.
    package var related: Set<RecordCursor> = []

    package init(records: [StoredRecord], next: RecordCursor?, unreadableBlocks: Int = 0) {
        self.records = records
        self.next = next
        self.unreadableBlocks = unreadableBlocks
    }

    package var truncated: Bool { next != nil }
}

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

/// How long and how much data to keep.
package struct RetentionPolicy: Sendable, Equatable {
    /// Records are deleted once they were stored longer ago than this many milliseconds (by whole
    /// days of storing); nil keeps them. Their own times do not count: old history read today is
    /// kept this long, and a record dated in the future goes with the day it was stored.
    package var maxAge: Int64?
    /// The store is cut back, what was stored first going first, to at most this many bytes; nil
    /// sets no bound.
    package var maxBytes: Int64?

    package init(maxAge: Int64? = nil, maxBytes: Int64? = nil) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
    }
}

package struct PruneReport: Sendable, Equatable {
    package var partitionsDropped: Int
    package var blocksDeleted: Int
    package var recordsDeleted: Int64
    package var bytesFreed: Int64
    /// Records deleted before a fleet store acknowledged them: only when the byte budget left no
    /// other choice (age alone never deletes an unshipped block).
    package var unshippedRecordsDropped: Int64 = 0

    package init(partitionsDropped: Int = 0, blocksDeleted: Int = 0, recordsDeleted: Int64 = 0, bytesFreed: Int64 = 0) {
        self.partitionsDropped = partitionsDropped
        self.blocksDeleted = blocksDeleted
        self.recordsDeleted = recordsDeleted
        self.bytesFreed = bytesFreed
    }
}

/// Which traces to list (`GET /traces`): the most recent ones with records in the window.
package struct TraceListQuery: Sendable, Equatable {
    package var since: Int64?
    package var until: Int64?
    package var apps: Set<String>?
    /// Only traces with records on these hosts; nil: every host.
    package var hosts: Set<String>?
    /// Only traces with at least one record at error level or above.
    package var errorsOnly: Bool
    package var limit: Int

    package init(since: Int64? = nil, until: Int64? = nil, apps: Set<String>? = nil, errorsOnly: Bool = false, limit: Int = 50) {
        self.since = since
        self.until = until
        self.apps = apps
        self.errorsOnly = errorsOnly
        self.limit = limit
    }
}

/// The answer to a `TraceListQuery`: the traces, and how many blocks could not be decoded on the
/// way (above 0: the list or its totals may be partial).
package struct TraceList: Sendable, Equatable {
    package var traces: [TraceSummary]
    package var unreadableBlocks: Int

    package init(traces: [TraceSummary], unreadableBlocks: Int = 0) {
        self.traces = traces
        self.unreadableBlocks = unreadableBlocks
    }
}

/// One trace in a list: its id and what its records add up to.
package struct TraceSummary: Sendable, Equatable {
    package var trace: IDKey
    package var firstTime: Int64
    package var lastTime: Int64
    package var records: Int
    /// Records at error level or above.
    package var errors: Int
    package var apps: [String]
    /// The hosts its records came from, sorted.
    package var hosts: [String]

    package init(trace: IDKey, firstTime: Int64, lastTime: Int64, records: Int, errors: Int, apps: [String], hosts: [String] = []) {
        self.trace = trace
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.records = records
        self.errors = errors
        self.apps = apps
        self.hosts = hosts
    }
}

extension StoredRecord {
    /// The record's level as filters see it (`LogLevel.effective`).
    package var effectiveLevel: LogLevel { LogLevel.effective(record.level, stream: file.stream) }

    package var isError: Bool { effectiveLevel >= .error }
}


/// Which records `coverage` counts: those whose time falls in the window, of these apps.
package struct CoverageQuery: Sendable, Equatable {
    package var since: Int64?
    package var until: Int64?
    package var apps: Set<String>?

    package init(since: Int64? = nil, until: Int64? = nil, apps: Set<String>? = nil) {
        self.since = since
        self.until = until
        self.apps = apps
    }
}

/// Trace context per app and stream: where it was lost shows as records that name a workflow or
/// task but no trace.
package struct Coverage: Sendable, Equatable {
    package struct Row: Sendable, Equatable {
        package var app: String
        package var stream: LogStream
        package var records: Int64 = 0
        /// Records with a trace id.
        package var traced: Int64 = 0
        /// Records with a workflow or task id but no trace id: context lost on the way.
        package var untracedWithBusinessID: Int64 = 0

        package init(app: String, stream: LogStream) {
            self.app = app
            self.stream = stream
        }

        /// The share of records with a trace id (1 when there are none).
        package var share: Double { records == 0 ? 1 : Double(traced) / Double(records) }
    }

    /// Per app and stream, by app then stream.
    package var rows: [Row]
    /// Blocks that could not be decoded: their records are not counted.
    package var unreadableBlocks: Int

    package init(rows: [Row], unreadableBlocks: Int = 0) {
        self.rows = rows
        self.unreadableBlocks = unreadableBlocks
    }

    /// Counts one record.
    package static func count(_ record: IndexedRecord, into row: inout Row) {
        row.records += 1
        if record.trace != nil {
            row.traced += 1
        } else if record.workflow != nil || record.task != nil {
            row.untracedWithBusinessID += 1
        }
    }

    /// Adds up a window's blocks, whichever store reads them: each store lists the blocks whose
    /// time range meets the window and hands over their records (or that one could not be read).
    package struct Tally: Sendable {
        private let query: CoverageQuery
        private var rows: [String: Row] = [:]
        private var unreadable = 0

        package init(_ query: CoverageQuery) {
            self.query = query
        }

        /// Whether a block of this app is counted at all (the `app` filter).
        package func wants(app: String) -> Bool {
            query.apps.map { $0.contains(app) } ?? true
        }

        /// The records of one block of a file of `app` and `stream`, those in the window counted.
        package mutating func add(_ records: [IndexedRecord], app: String, stream: LogStream) {
            let key = app + "\u{0}" + stream.rawValue
            var row = rows[key] ?? Row(app: app, stream: stream)
            for record in records {
                if let since = query.since, record.time < since { continue }
                if let until = query.until, record.time > until { continue }
                Coverage.count(record, into: &row)
            }
            if row.records > 0 { rows[key] = row }
        }

        /// A block that could not be decoded: the answer says it is partial.
        package mutating func addUnreadable() {
            unreadable += 1
        }

        package var coverage: Coverage {
            Coverage(rows: rows.values.sorted { ($0.app, $0.stream.rawValue) < ($1.app, $1.stream.rawValue) }, unreadableBlocks: unreadable)
        }
    }
}
