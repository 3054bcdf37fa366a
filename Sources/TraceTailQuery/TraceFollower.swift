import TraceTailCore

/// Follows an id's records as they arrive (`tracetail tail`): each poll asks the store for the
/// records after the newest one shown, less a look-back, and shows only those not shown yet. The
/// look-back catches records stored late with a slightly earlier time (another file's flush, a
/// clock a little behind), which a strict cursor would skip for ever.
package struct TraceFollower: Sendable {
    package static let lookbackMillis: Int64 = 5_000

    /// `time` minus the look-back, never below `Int64.min`: a cursor comes from a client
    /// (`Last-Event-ID`, `?cursor=`), and its time may be anything a 64-bit integer holds.
    static func lookback(from time: Int64) -> Int64 {
        let (earlier, overflow) = time.subtractingReportingOverflow(lookbackMillis)
        return overflow ? Int64.min : earlier
    }
    package static let pageLimit = 100_000

    private struct Seen: Hashable {
        var time: Int64
        var fileID: Int64
        var offset: Int64
    }

    package let key: IDKey
    private var newest: RecordCursor?
    private var seen = Set<Seen>()
    /// A resumed follower shows nothing at or before this cursor (the client has it already).
    private let floor: RecordCursor?

    package init(key: IDKey) {
        self.key = key
        floor = nil
    }

    /// A follower that resumes after `cursor` (the newest record a client was sent, the SSE
    /// stream's `Last-Event-ID`): it shows the records after it, never one at or before it.
    package init(key: IDKey, resumingAfter cursor: RecordCursor) {
        self.key = key
        newest = cursor
        floor = cursor
    }

    /// The newest record shown (or resumed after): the stream's event id, so that a reconnect
    /// never gets a record twice.
    package var newestShown: RecordCursor? { newest }

    /// The next poll's query: everything at first, then what follows the newest record shown.
    package var query: RecordQuery {
        var query = RecordQuery(key: key, limit: Self.pageLimit)
        if let newest {
            query.since = Self.lookback(from: newest.time)
            query.after = RecordCursor(time: Self.lookback(from: newest.time), fileID: -1, offset: -1)
        }
        return query
    }

    /// The records of a poll's answer not shown before, in time order; remembers them.
    package mutating func accept(_ page: RecordPage) -> [StoredRecord] {
        var fresh: [StoredRecord] = []
        for stored in page.records {
            let cursor = stored.cursor
            if let floor, cursor <= floor { continue }
            guard seen.insert(Seen(time: cursor.time, fileID: cursor.fileID, offset: cursor.offset)).inserted else { continue }
            fresh.append(stored)
            if newest.map({ $0 < cursor }) ?? true { newest = cursor }
        }
        if let newest, !fresh.isEmpty {
            let horizon = Self.lookback(from: newest.time)
            seen = seen.filter { $0.time >= horizon }
        }
        return fresh
    }
}
