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
