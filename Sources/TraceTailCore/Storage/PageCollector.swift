/// A block a lookup may read: the time range of its records. Enough to put the blocks in the
/// order a page is read in and to know when reading can stop.
package protocol TimeRangedBlock {
    var minTime: Int64 { get }
    var maxTime: Int64 { get }
    /// Breaks ties between blocks of equal times, so that the order is the same on every call.
    var order: Int64 { get }
}

/// Builds one page of a `RecordQuery`'s answer from blocks read one at a time, as both stores
/// page: the candidate blocks (listed with their time ranges, no data read) are put in the answer's
/// order by `arrange`, blocks wholly before the cursor dropped; each block read is `add`ed; and
/// reading stops at the first block `wants` says cannot change the page, because with more than a
/// page in hand every record it holds would come after the page's last. A page of a 10,000-record
/// trace reads the blocks of its page and the one after, not the whole trace.
package struct PageCollector: Sendable {
    package let query: RecordQuery
    private let ascending: Bool
    private let limit: Int
    /// The best `limit + 1` records so far, in the answer's order (one more than the page, to
    /// know whether a next page exists).
    private var matched: [StoredRecord] = []

    package init(_ query: RecordQuery) {
        self.query = query
        ascending = query.order == .ascending
        limit = max(0, query.limit)
    }

    /// The blocks to read, in the order to read them: by first record time for an ascending
    /// answer, by last record time for a descending one; those wholly before the cursor left out.
    package func arrange<Block: TimeRangedBlock>(_ blocks: [Block]) -> [Block] {
        var blocks = blocks
        if let after = query.after {
            blocks.removeAll { ascending ? $0.maxTime < after.time : $0.minTime > after.time }
        }
        if ascending {
            blocks.sort { ($0.minTime, $0.order) < ($1.minTime, $1.order) }
        } else {
            blocks.sort { ($0.maxTime, $0.order) > ($1.maxTime, $1.order) }
        }
        return blocks
    }

    /// Whether a block with this time range can still change the page. Blocks come in `arrange`'s
    /// order, so the first that cannot ends the reading. Equal times may still sort before the
    /// page's last record (by file and offset): such a block is read.
    package func wants(_ block: some TimeRangedBlock) -> Bool {
        guard matched.count > limit else { return true }
        let last = matched[limit].record.time
        return ascending ? block.minTime <= last : block.maxTime >= last
    }

    /// A block's records, of `file`: those the query admits, after the cursor, are kept.
    package mutating func add(_ records: [IndexedRecord], file: FileState) {
        var added = false
        for record in records where query.admits(record, file: file) {
            let stored = StoredRecord(record: record, file: file)
            if let after = query.after, !precedes(after, stored.cursor) { continue }
            matched.append(stored)
            added = true
        }
        guard added else { return }
        let ascending = ascending
        matched.sort { ascending ? $0.cursor < $1.cursor : $1.cursor < $0.cursor }
        if matched.count > limit + 1 { matched.removeLast(matched.count - limit - 1) }
    }

    /// The page: at most `limit` records, with the cursor of its last when more follow.
    package func page(unreadableBlocks: Int) -> RecordPage {
        guard matched.count > limit else {
            return RecordPage(records: matched, next: nil, unreadableBlocks: unreadableBlocks)
        }
        let page = Array(matched.prefix(limit))
        return RecordPage(records: page, next: page.last?.cursor, unreadableBlocks: unreadableBlocks)
    }

    /// Whether `a` comes before `b` in the answer's order.
    private func precedes(_ a: RecordCursor, _ b: RecordCursor) -> Bool { ascending ? a < b : b < a }
}
