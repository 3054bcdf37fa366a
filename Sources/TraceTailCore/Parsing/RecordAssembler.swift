#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts one file's byte stream into records: splits lines, joins continuation lines (pino-pretty
/// blocks, wrapped util.inspect objects, stack traces, Node's crash banner) to the record they belong
/// to (see `LineGrouper`), decodes PM2 JSON envelopes, and never emits a line that has no line end yet.
///
/// Feed it the bytes of one file in order; never share one between files. `committedOffset` is the
/// offset before which every byte belongs to an emitted record and after which none does: the
/// position to save with the records, so that a restart there regenerates exactly the unemitted ones.
///
/// PM2 JSON envelopes: a record can only be committed at an envelope line's end, so records that share
/// an envelope with an unfinished record (one still pending, or half a line waiting for the next
/// envelope) are held back until it finishes, even past `closePending()`: releasing them earlier would
/// make a restart emit them twice. PM2 ends most chunks at a line end, so this is rare and short. If
/// held records grow past `maxRecordBytes` (a long run of envelopes each ending mid-line) they are
/// released anyway and `committedOffset` moves to the end of the envelope just read: a restart there
/// loses the head of the line left open in it (its tail comes back as a record of its own), rather
/// than repeating every record released with it. An envelope line longer than `maxRecordBytes` is not
/// decoded: it is kept, truncated, as a record of its own.
package struct RecordAssembler: Sendable {
    package let options: AssemblerOptions
    /// Every byte before this offset was emitted in a record; none after it was.
    package private(set) var committedOffset: Int64
    /// How far the file has been fed.
    package private(set) var readOffset: Int64

    private var grouper: LineGrouper
    /// The current line, not yet ended by `\n`, capped at `maxRecordBytes`.
    private var partial: [UInt8] = []
    private var partialTruncated = false
    /// The rest of a line released early by `releaseOverlongLine` is being skipped up to its `\n`.
    private var skippingLine = false
    /// Offset of the current line's first byte.
    private var lineStart: Int64

    /// Envelope text after the last `\n` inside an envelope: half a line waiting for the next envelope.
    private var inner: [UInt8] = []
    private var innerActive = false
    private var innerTruncated = false
    private var innerStart: Int64 = 0
    private var innerEnd: Int64 = 0
    private var innerTime: Int64?
    /// Records cut from envelopes, waiting for a commit point.
    private var ready: [AssembledRecord] = []
    private var readyBytes = 0

    package init(offset: Int64, options: AssemblerOptions = AssemblerOptions()) {
        self.options = options
        self.committedOffset = offset
        self.readOffset = offset
        self.lineStart = offset
        self.grouper = LineGrouper(options: options)
    }

    /// A record is held back because a continuation line may still come (or, for envelopes, because
    /// it shares an envelope with one).
    package var hasPendingRecord: Bool { grouper.isHolding || !ready.isEmpty }

    /// Bytes read past the last line end (a line still being written), or half a line inside an
    /// envelope waiting for the next one.
    package var hasPartialLine: Bool { readOffset > lineStart || innerActive }

    /// Feeds the next bytes of the file; returns the records completed by them.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) -> [AssembledRecord] {
        var out: [AssembledRecord] = []
        let count = bytes.count
        var start = 0
        if skippingLine && count > 0 {
            let nl = Self.newline(in: bytes, from: 0)
            start = nl.map { $0 + 1 } ?? count
            skippingLine = nl == nil
            lineStart = readOffset + Int64(start)
            if grouper.unfinishedStart == nil && ready.isEmpty && !innerActive { committedOffset = max(committedOffset, lineStart) }
        }
        while start < count {
            guard let nl = Self.newline(in: bytes, from: start) else {
                appendPartial(bytes, start..<count)
                break
            }
            let end = readOffset + Int64(nl + 1)
            let line: [UInt8]
            if partial.isEmpty && !partialTruncated {
                let take = min(nl - start, options.maxRecordBytes)
                line = Array(bytes[start..<start + take])
                partialTruncated = take < nl - start
            } else {
                appendPartial(bytes, start..<nl)
                line = partial
                partial.removeAll(keepingCapacity: true)
            }
            let truncated = partialTruncated
            partialTruncated = false
            finishLine(LineGrouper.Line(bytes: line, start: lineStart, end: end, truncated: truncated), into: &out)
            lineStart = end
            start = nl + 1
        }
        readOffset += Int64(count)
        return out
    }

    package mutating func append(_ bytes: [UInt8]) -> [AssembledRecord] {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Emits the held-back record: no continuation came in time. A line with no `\n` yet stays, and
    /// so does half a line inside an envelope.
    package mutating func closePending() -> [AssembledRecord] {
        var produced: [AssembledRecord] = []
        grouper.flush(into: &produced)
        return gate(produced)
    }

    /// A line with no `\n` yet that is already longer than `maxRecordBytes` is stored cut there
    /// whatever follows: emit it now (truncated) and skip the rest of it up to its line end, so that
    /// `committedOffset` can move past it and a restart does not read it again. (A restart inside
    /// the skipped rest takes what follows as a line of its own.) Does nothing while envelope
    /// records are held. Returns the records released.
    package mutating func releaseOverlongLine() -> [AssembledRecord] {
        guard partialTruncated, !innerActive, ready.isEmpty, readOffset > lineStart else { return [] }
        var out: [AssembledRecord] = []
        let line = LineGrouper.Line(bytes: partial, start: lineStart, end: readOffset, truncated: true)
        partial.removeAll(keepingCapacity: true)
        partialTruncated = false
        finishLine(line, into: &out)
        lineStart = readOffset
        skippingLine = true
        return out
    }

    @inline(__always)
    private static func newline(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count else { return nil }
        guard let p = memchrNewline(base + start, bytes.count - start) else { return nil }
        return p - base
    }

    @inline(__always)
    private static func memchrNewline(_ p: UnsafeRawPointer, _ n: Int) -> UnsafeRawPointer? {
        UnsafeRawPointer(memchr(p, 0x0A, n))
    }

    private mutating func appendPartial(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let room = options.maxRecordBytes - partial.count
        guard room > 0 else {
            partialTruncated = true
            return
        }
        let take = min(room, range.count)
        partial.append(contentsOf: bytes[range.lowerBound..<range.lowerBound + take])
        if take < range.count { partialTruncated = true }
    }

    private mutating func finishLine(_ line: LineGrouper.Line, into out: inout [AssembledRecord]) {
        let decoded: PM2Envelope.Decoded? = line.truncated ? nil : line.bytes.withUnsafeBufferPointer { b in
            PM2Envelope.mayBeEnvelope(b) ? PM2Envelope.decode(b) : nil
        }
        // Without envelopes every record ends before the first unfinished line: no gate needed.
        if decoded == nil && ready.isEmpty && !innerActive {
            grouper.push(line, into: &out)
            committedOffset = grouper.unfinishedStart ?? line.end
            return
        }
        var produced: [AssembledRecord] = []
        if let decoded {
            takeEnvelope(decoded, line: line, into: &produced)
        } else {
            flushInner(into: &produced)
            grouper.push(line, into: &produced)
        }
        out.append(contentsOf: gate(produced, lineEnd: line.end))
    }

    /// Splits an envelope's text into lines, joining a half line to the one left by the envelope before.
    private mutating func takeEnvelope(_ decoded: PM2Envelope.Decoded, line: LineGrouper.Line, into produced: inout [AssembledRecord]) {
        let message = decoded.message
        var s = 0
        while s < message.count {
            if !innerActive {
                innerActive = true
                innerStart = line.start
                innerTime = decoded.time
            }
            innerEnd = line.end
            let nl = message[s...].firstIndex(of: 0x0A) ?? message.count
            let room = options.maxRecordBytes - inner.count
            let take = max(0, min(room, nl - s))
            inner.append(contentsOf: message[s..<s + take])
            if take < nl - s { innerTruncated = true }
            guard nl < message.count else { break }
            let complete = LineGrouper.Line(bytes: inner, start: innerStart, end: line.end, truncated: innerTruncated, envelopeTime: innerTime)
            inner.removeAll(keepingCapacity: true)
            innerActive = false
            innerTruncated = false
            grouper.push(complete, into: &produced)
            s = nl + 1
        }
    }

    /// A non-envelope line after half an envelope line: PM2 will not complete it any more.
    private mutating func flushInner(into produced: inout [AssembledRecord]) {
        guard innerActive else { return }
        let fragment = LineGrouper.Line(bytes: inner, start: innerStart, end: innerEnd, truncated: innerTruncated, envelopeTime: innerTime)
        inner.removeAll(keepingCapacity: true)
        innerActive = false
        innerTruncated = false
        grouper.push(fragment, into: &produced)
    }

    /// Releases the records that lie wholly before the commit point and moves `committedOffset` there.
    /// The commit point is the first unfinished byte, moved back to the start of any held record that
    /// ends after it (records sharing an envelope overlap). Records come out of the grouper in the
    /// order of their ends, so the ones ending after the commit point are a suffix of `ready`.
    /// Records held for a commit point at most (see `gate`).
    static let maxHeldRecords = 1_024

    private mutating func gate(_ produced: [AssembledRecord], lineEnd: Int64? = nil) -> [AssembledRecord] {
        for record in produced {
            assert(ready.last.map { $0.endOffset <= record.endOffset } ?? true, "records leave the grouper in end order")
            readyBytes += record.raw.count + 1
        }
        ready.append(contentsOf: produced)
        var commit = lineEnd ?? lineStart
        if let start = grouper.unfinishedStart { commit = min(commit, start) }
        if innerActive { commit = min(commit, innerStart) }
        var kept = ready.count
        while kept > 0 && ready[kept - 1].endOffset > commit {
            commit = min(commit, ready[kept - 1].startOffset)
            kept -= 1
        }
        var out: [AssembledRecord]
        // Forced (see the type's documentation) also past `maxHeldRecords` records: envelopes of an
        // app that writes its newline first each overlap the one before, so every record was held
        // until a megabyte had gathered (half a million records of two bytes), each gate walking
        // them all: quadratic, the tailer stalled (found by a read-only review).
        if readyBytes > options.maxRecordBytes || ready.count > Self.maxHeldRecords {
            out = ready
            commit = max(commit, ready.last?.endOffset ?? commit)
            ready.removeAll()
        } else {
            out = Array(ready[0..<kept])
            ready.removeFirst(kept)
        }
        readyBytes -= out.reduce(0) { $0 + $1.raw.count + 1 }
        committedOffset = max(committedOffset, commit)
        return out
    }
}
