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
    /// Where the last poll's page stopped when it came back full (`RecordPage.next`): the next poll
    /// reads on from there, not from the look-back before the newest record. A trace with more
    /// than `pageLimit` records within the look-back otherwise got the same full page, all seen,
    /// at every poll, and nothing after it was ever shown.
    private var readingOn: RecordCursor?
    private var seen = Set<Seen>()
    /// Where a resumed follower's client left off.
    private let floor: ResumePoint?

    /// Records a poll asks for at most (`pageLimit`; a test gives fewer).
    private let limit: Int

    package init(key: IDKey, pageLimit: Int = TraceFollower.pageLimit) {
        self.key = key
        floor = nil
        limit = pageLimit
    }

    /// A follower that resumes where a client left off (the SSE stream's `Last-Event-ID`): it shows
    /// the records after the point's cursor, and those at or before it (within the look-back)
    /// that the point's per-file marks say the client was not sent: records stored late with an
    /// earlier time. Never one the client has.
    package init(key: IDKey, resumingAfter point: ResumePoint) {
        self.key = key
        newest = point.cursor
        floor = point
        limit = Self.pageLimit
    }

    /// Whether the last poll's page held everything stored then (none was left for the next page):
    /// the records stored when following began have all been shown.
    package var isCaughtUp: Bool { readingOn == nil }

    /// The next poll's query: everything at first, then what follows the newest record shown
    /// (or, after a full page, what follows that page).
    package var query: RecordQuery {
        var query = RecordQuery(key: key, limit: limit)
        if let readingOn {
            query.since = readingOn.time
            query.after = readingOn
        } else if let newest {
            query.since = Self.lookback(from: newest.time)
            query.after = RecordCursor(time: Self.lookback(from: newest.time), fileID: -1, offset: -1)
        }
        return query
    }

    /// The records of a poll's answer not shown before, in time order; remembers them.
    package mutating func accept(_ page: RecordPage) -> [StoredRecord] {
        readingOn = page.next
        var fresh: [StoredRecord] = []
        for stored in page.records {
            let cursor = stored.cursor
            if let floor, floor.wasSent(stored) { continue }
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

/// Where a client of a live stream left off: the newest record it was sent, and for each file
/// with records sent within the look-back before it, the furthest offset sent. Written into
/// every event's id, so that a reconnect (`Last-Event-ID`) resumes with neither a repeat nor a
/// gap, even for a record stored late with an earlier time than the newest sent.
///
/// Why the marks suffice: a file's records are stored in the order of their offsets, and every
/// poll asks for the look-back before the newest record. So when a record of a file was sent,
/// every record of that file before it was stored already, and was sent too if it falls within
/// the look-back; a record at or before the cursor is new to the client exactly when its file has
/// no mark or its offset is past the mark.
package struct ResumePoint: Sendable, Equatable {
    package private(set) var cursor: RecordCursor
    /// File id to the furthest offset sent of it and the time of that record.
    package private(set) var marks: [Int64: Mark]
    /// Everything at or before it counts as sent: the bare cursor a stream was resumed after
    /// (`?cursor=`, an older client's id), carried in the ids until it falls out of the look-back.
    package private(set) var floor: RecordCursor?

    package struct Mark: Sendable, Equatable {
        package var offset: Int64
        package var time: Int64
    }

    /// At most this many marks go into an id; a trace that spans more files within the look-back
    /// gets a bare cursor instead (a record stored late may then be missed, none is sent twice),
    /// so that ids stay short enough to be sent back.
    static let markLimit = 256

    /// A point after `cursor` alone (the cursor of an answer page).
    package init(after cursor: RecordCursor) {
        self.cursor = cursor
        marks = [:]
        floor = cursor
    }

    /// Before anything was sent.
    package init() {
        cursor = RecordCursor(time: Int64.min, fileID: -1, offset: -1)
        marks = [:]
        floor = nil
    }

    /// The point after also sending `stored`.
    package mutating func add(_ stored: StoredRecord) {
        let sent = stored.cursor
        if cursor < sent { cursor = sent }
        let previous = marks[sent.fileID]
        marks[sent.fileID] = Mark(
            offset: max(previous?.offset ?? Int64.min, sent.offset), time: max(previous?.time ?? Int64.min, sent.time))
        let horizon = TraceFollower.lookback(from: cursor.time)
        if marks.count > 16 { marks = marks.filter { $0.value.time >= horizon } }
        if let floor, floor.time < horizon { self.floor = nil }
    }

    /// Whether the client has this record already.
    func wasSent(_ stored: StoredRecord) -> Bool {
        let record = stored.cursor
        guard record <= cursor else { return false }
        if let floor, record <= floor { return true }
        guard let mark = marks[record.fileID] else { return record.time < TraceFollower.lookback(from: cursor.time) }
        return record.offset <= mark.offset
    }

    /// `time.file.offset`; then `~file.offset.time` for each mark within the look-back, and
    /// `~^time.file.offset` for the floor while it is within it. A bare cursor when there are more
    /// than `markLimit` marks.
    package var token: String {
        let horizon = TraceFollower.lookback(from: cursor.time)
        let kept = marks.filter { $0.value.time >= horizon }
        guard kept.count <= Self.markLimit else { return cursor.token }
        var token = cursor.token
        for (file, mark) in kept.sorted(by: { $0.key < $1.key }) {
            token += "~\(file).\(mark.offset).\(mark.time)"
        }
        if let floor, floor.time >= horizon { token += "~^" + floor.token }
        // Nothing sent within the look-back: the bare cursor says the same.
        return token == cursor.token ? token + "~" : token
    }

    /// Reads a token: a bare cursor (everything at or before it was sent), or one with marks.
    /// Nil when it is neither.
    package init?(token: some StringProtocol) {
        let parts = token.split(separator: "~", omittingEmptySubsequences: false)
        guard parts.count <= 2 + Self.markLimit, let cursor = RecordCursor(token: parts[0]) else { return nil }
        self.init(after: cursor)
        guard parts.count > 1 else { return }
        floor = nil
        for part in parts.dropFirst() where !part.isEmpty {
            if part.hasPrefix("^") {
                guard let floor = RecordCursor(token: part.dropFirst()) else { return nil }
                self.floor = floor
                continue
            }
            let fields = part.split(separator: ".", omittingEmptySubsequences: false)
            guard fields.count == 3, let file = Int64(fields[0]), let offset = Int64(fields[1]), let time = Int64(fields[2]) else {
                return nil
            }
            marks[file] = Mark(offset: offset, time: time)
        }
    }
}
