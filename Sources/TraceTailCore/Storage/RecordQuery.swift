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
