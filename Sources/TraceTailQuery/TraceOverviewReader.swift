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
        var builder = TraceOverviewBuilder(trace: id.kind == .trace ? id.key : nil)
        var cursor: RecordCursor?
        var read = 0
        var truncated = false
        var unreadable = 0
        var businessIDs: [IDKey] = []
        repeat {
            let page = try await store.records(RecordQuery(key: id.key, limit: min(pageSize, maximumRecords - read), after: cursor))
            builder.add(contentsOf: page.records)
            for stored in page.records {
                for key in [stored.record.workflow, stored.record.task].compactMap({ $0 }) where !businessIDs.contains(key) {
                    businessIDs.append(key)
                }
            }
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
        // Where context was lost around this trace: its workflow and task ids on records without it.
        for key in businessIDs.prefix(100) {
            var query = RecordQuery(key: key, limit: maximumRecords)
            query.predicate = { record, _ in record.trace == nil }
            let untraced = try await store.records(query).records.count
            guard untraced > 0, let business = BusinessID(key: key) else { continue }
            overview.untracedByID.append((key.kind == .task || key.kind == .taskOpaque ? .task : .workflow, business.canonical, untraced))
        }
        return overview
    }
}
