/// Options for turning a file's bytes into records.
package struct AssemblerOptions: Sendable, Equatable {
    /// Longest record kept, in bytes; the rest of a longer record is skipped and the record is
    /// flagged as truncated. Memory stays bounded by this.
    package var maxRecordBytes: Int

    package init(maxRecordBytes: Int = 1 << 20) {
        self.maxRecordBytes = maxRecordBytes
    }
}

/// One record cut from a file: its complete original text and where it sits.
package struct AssembledRecord: Sendable, Equatable {
    /// The original bytes, every line of the record, without the final line end.
    package var raw: [UInt8]
    /// Offset of the record's first byte in the file.
    package var startOffset: Int64
    /// Offset just past the record's last line end.
    package var endOffset: Int64
    /// The record was longer than `maxRecordBytes` and `raw` holds only its start.
    package var truncated: Bool

    package init(raw: [UInt8], startOffset: Int64, endOffset: Int64, truncated: Bool = false) {
        self.raw = raw
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.truncated = truncated
    }
}

/// Cuts one file's byte stream into records: splits lines, joins continuation lines (pino-pretty
/// blocks, wrapped util.inspect objects, stack traces) to the record they belong to, and never
/// emits a line that has no line end yet.
///
/// Feed it the bytes of one file in order. `committedOffset` is the offset before which every byte
/// belongs to an emitted record and after which none does: the position to save with the records.
package struct RecordAssembler: Sendable {
    package let options: AssemblerOptions
    /// Every byte before this offset was emitted in a record; none after it was.
    package private(set) var committedOffset: Int64
    /// How far the file has been fed.
    package private(set) var readOffset: Int64

    /// Lines of the record being built (complete lines, each without its `\n`).
    private var pending: [UInt8] = []
    private var pendingStart: Int64 = 0
    private var pendingEnd: Int64 = 0
    private var pendingTruncated = false
    private var hasPending = false
    /// The current line, not yet ended by `\n`.
    private var partial: [UInt8] = []
    private var partialTruncated = false

    package init(offset: Int64, options: AssemblerOptions = AssemblerOptions()) {
        self.options = options
        self.committedOffset = offset
        self.readOffset = offset
    }

    /// A record is held back because a continuation line may still come.
    package var hasPendingRecord: Bool { hasPending }

    /// Bytes read past the last line end (a line still being written).
    package var hasPartialLine: Bool { readOffset > (hasPending ? pendingEnd : committedOffset) }

    /// Feeds the next bytes of the file; returns the records completed by them.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) -> [AssembledRecord] {
        var out: [AssembledRecord] = []
        var lineStart = 0
        let count = bytes.count
        var i = 0
        while i < count {
            if bytes[i] == UInt8(ascii: "\n") {
                appendPartial(bytes, lineStart..<i)
                let lineEnd = readOffset + Int64(i + 1)
                finishLine(endOffset: lineEnd, into: &out)
                lineStart = i + 1
            }
            i += 1
        }
        appendPartial(bytes, lineStart..<count)
        readOffset += Int64(count)
        return out
    }

    package mutating func append(_ bytes: [UInt8]) -> [AssembledRecord] {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Emits the held-back record: no continuation came in time. A line with no `\n` yet stays.
    package mutating func closePending() -> [AssembledRecord] {
        guard hasPending else { return [] }
        let record = AssembledRecord(raw: pending, startOffset: pendingStart, endOffset: pendingEnd, truncated: pendingTruncated)
        committedOffset = pendingEnd
        pending = []
        hasPending = false
        pendingTruncated = false
        return [record]
    }

    private mutating func appendPartial(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let room = options.maxRecordBytes - partial.count
        if room <= 0 {
            partialTruncated = true
            return
        }
        let take = min(room, range.count)
        partial.append(contentsOf: bytes[range.lowerBound..<range.lowerBound + take])
        if take < range.count { partialTruncated = true }
    }

    private mutating func finishLine(endOffset: Int64, into out: inout [AssembledRecord]) {
        let line = partial
        let truncated = partialTruncated
        partial.removeAll(keepingCapacity: true)
        partialTruncated = false
        let lineStart = hasPending ? pendingEnd : committedOffset

        if hasPending && LineClassifier.continues(line: line[...], previous: pending[...]) {
            let room = options.maxRecordBytes - pending.count - 1
            if room > 0 {
                pending.append(UInt8(ascii: "\n"))
                pending.append(contentsOf: line.prefix(room))
                if line.count > room { pendingTruncated = true }
            } else {
                pendingTruncated = true
            }
            pendingTruncated = pendingTruncated || truncated
            pendingEnd = endOffset
            return
        }
        out.append(contentsOf: closePending())
        pending = line
        pendingStart = lineStart
        pendingEnd = endOffset
        pendingTruncated = truncated
        hasPending = true
        if !LineClassifier.mayContinue(pending[...]) {
            out.append(contentsOf: closePending())
        }
    }
}

/// Decides which lines continue the record before them.
package enum LineClassifier {
    /// A line that belongs to the record before it: indented (pino-pretty keys, stack frames,
    /// wrapped util.inspect objects), a closing brace, or a `caused by:` / `[cause]:` line.
    package static func continues(line: ArraySlice<UInt8>, previous: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first else { return false }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { return true }
        if first == UInt8(ascii: "}") || first == UInt8(ascii: "]") { return true }
        return line.starts(with: "caused by:".utf8) || line.starts(with: "[cause]:".utf8)
    }

    /// Whether a record could still get continuation lines. A complete JSON line cannot.
    package static func mayContinue(_ record: ArraySlice<UInt8>) -> Bool {
        guard let first = record.first else { return false }
        if first == UInt8(ascii: "{") && record.last == UInt8(ascii: "}") { return false }
        return true
    }
}
