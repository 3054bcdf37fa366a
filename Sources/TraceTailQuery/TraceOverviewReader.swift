import TraceTailCore

/// Reads a trace's records page by page through the cursor and sums them up; only the totals are
/// kept, so the memory a summary takes is one page whatever the trace's size.
package struct TraceOverviewReader: Sendable {
    package var store: any LogStore
    package var pageSize = 100_000
    /// A summary covers at most this many records; beyond it the answer says `truncated`.
    package var maximumRecords = 1_000_000

    package init(store: any LogStore) {
        self.store = store
    }

    /// The trace's summary; `QueryError.notFound` when the trace has no records.
    package func overview(of id: RequestedID) async throws -> TraceOverview {
        var builder = TraceOverviewBuilder()
        var cursor: RecordCursor?
        var read = 0
        var truncated = false
        var unreadable = 0
        repeat {
            let page = try await store.records(RecordQuery(key: id.key, limit: min(pageSize, maximumRecords - read), after: cursor))
            builder.add(contentsOf: page.records)
            read += page.records.count
            // Every page looks at the same blocks: the count is that of the worst page, not a sum.
            unreadable = max(unreadable, page.unreadableBlocks)
            cursor = page.next
            if cursor != nil, read >= maximumRecords { truncated = true }
        } while cursor != nil && !truncated
        guard var overview = builder.build(traceID: id.canonical, truncated: truncated) else {
            let detail = unreadable > 0 ? " that could be read (\(unreadable) damaged blocks skipped)" : ""
            throw QueryError.notFound("no records for \(id.kind.name) id '\(id.canonical)'\(detail)")
        }
        overview.unreadableBlocks = unreadable
        return overview
    }
}
