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

extension StoredRecord {
    /// The record's level as filters see it (`LogLevel.effective`).
    package var effectiveLevel: LogLevel { LogLevel.effective(record.level, stream: file.stream) }

    package var isError: Bool { effectiveLevel >= .error }
}
