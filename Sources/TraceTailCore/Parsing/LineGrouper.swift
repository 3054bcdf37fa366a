/// Joins complete lines into records. Continuation lines: indented lines (pino-pretty keys and their
/// JSON values, wrapped util.inspect objects, stack frames), a `}`/`]` at column 0 closing a block
/// opened at the end of the record's first line or a frame, `caused by:`/`[cause]:` after an error,
/// the parts of Node's crash banner, and an error header (`Error: card declined`) whose message
/// repeats the first line of the record before it (its stack, written after the line that logged it).
/// Any other line at column 0 starts a new record: when unsure, split. A complete one-line JSON object and a blank line are records of their own at once.
package struct LineGrouper: Sendable {
    package struct Line: Sendable {
        package var bytes: [UInt8]
        package var start: Int64
        package var end: Int64
        package var truncated: Bool
        package var envelopeTime: Int64?

        package init(bytes: [UInt8], start: Int64, end: Int64, truncated: Bool = false, envelopeTime: Int64? = nil) {
            self.bytes = bytes
            self.start = start
            self.end = end
            self.truncated = truncated
            self.envelopeTime = envelopeTime
        }
    }

    private struct Pending: Sendable {
        var record: AssembledRecord
        var isStack: Bool
        var openBlock: Bool
        /// The record's last line left an ANSI colour set: the next line continues its text. Only for
        /// records starting like a pino-pretty header, and for at most `maxColourLines` lines.
        var colourOpen: Bool
        var colourLines = 0
    }

    static let maxColourLines = 64

    private enum Hold: Sendable, Equatable {
        case none
        /// Lines that may be Node's crash banner; the number of banner lines seen.
        case banner(Int)
        /// A blank line after a stack trace, which `Node.js v...` may still follow.
        case blankAfterStack
    }

    let maxRecordBytes: Int
    let crashBanners: Bool
    private var pending: Pending?
    private var held: [Line] = []
    private var hold: Hold = .none

    package init(options: AssemblerOptions) {
        self.maxRecordBytes = options.maxRecordBytes
        self.crashBanners = options.crashBanners
    }

    /// Offset of the first byte that belongs to no emitted record, if lines are held.
    package var unfinishedStart: Int64? { pending?.record.startOffset ?? held.first?.start }

    package var isHolding: Bool { pending != nil || !held.isEmpty }

    /// Adds the next complete line; completed records are appended to `out`.
    package mutating func push(_ line: Line, into out: inout [AssembledRecord]) {
        let shape = LineShape(line.bytes)
        switch hold {
        case .none:
            pushNormal(line, shape, allowBanner: true, into: &out)
        case .blankAfterStack:
            let blank = held.removeFirst()
            hold = .none
            if shape.isNodeVersion, var p = pending {
                pending = nil
                append(blank, to: &p)
                append(line, to: &p)
                out.append(p.record)
            } else {
                emitPending(into: &out)
                out.append(record(from: blank))
                pushNormal(line, shape, allowBanner: true, into: &out)
            }
        case .banner(let step):
            let fits: Bool
            switch step {
            case 1: fits = !shape.isBlank && !shape.isCompleteJSON
            case 2: fits = shape.isCaret
            case 3: fits = shape.isBlank
            default: fits = !shape.isBlank && !shape.isIndented && !shape.isCompleteJSON
            }
            guard fits else {
                failBanner(then: line, into: &out)
                return
            }
            held.append(line)
            if step < 4 {
                hold = .banner(step + 1)
                return
            }
            // The error line: the banner becomes a stack record that frames may continue.
            hold = .none
            var p = Pending(record: record(from: held[0]), isStack: true, openBlock: false, colourOpen: false)
            for next in held.dropFirst() { append(next, to: &p) }
            held.removeAll()
            pending = p
        }
    }

    /// Emits whatever is held: the tailer's idle timeout says no continuation is coming.
    package mutating func flush(into out: inout [AssembledRecord]) {
        while hold != .none {
            switch hold {
            case .banner:
                let lines = held
                held.removeAll()
                hold = .none
                pushNormal(lines[0], LineShape(lines[0].bytes), allowBanner: false, into: &out)
                for next in lines.dropFirst() { push(next, into: &out) }
            case .blankAfterStack:
                let blank = held.removeFirst()
                hold = .none
                emitPending(into: &out)
                out.append(record(from: blank))
            case .none:
                break
            }
        }
        emitPending(into: &out)
    }

    private mutating func failBanner(then line: Line, into out: inout [AssembledRecord]) {
        let lines = held + [line]
        held.removeAll()
        hold = .none
        pushNormal(lines[0], LineShape(lines[0].bytes), allowBanner: false, into: &out)
        for next in lines.dropFirst() { push(next, into: &out) }
    }

    private mutating func pushNormal(_ line: Line, _ shape: LineShape, allowBanner: Bool, into out: inout [AssembledRecord]) {
        if var p = pending {
            // Take the record out so that appending to it does not copy its bytes.
            pending = nil
            let wasOpen = p.openBlock
            if continues(&p, with: line, shape) {
                if wasOpen && !p.openBlock && !p.isStack {
                    out.append(p.record)  // a wrapped object just closed: nothing more can follow
                } else {
                    pending = p
                }
                return
            }
            if shape.startsWithLetter && !p.isStack && !p.openBlock && !line.truncated && !shape.isIndented
                && ErrorHeader.repeatsFirstLine(line.bytes, of: p.record.raw)
            {
                // The stack of the error this record logged, written after it (see `ErrorHeader`).
                append(line, to: &p)
                pending = p
                return
            }
            if shape.isBlank && p.isStack && crashBanners {
                pending = p
                held = [line]
                hold = .blankAfterStack
                return
            }
            out.append(p.record)
        }
        if shape.isBlank || shape.isCompleteJSON || line.truncated {
            out.append(record(from: line))
            return
        }
        if allowBanner && crashBanners && shape.isFileLine {
            held = [line]
            hold = .banner(1)
            return
        }
        pending = Pending(record: record(from: line), isStack: false, openBlock: shape.opensBlock, colourOpen: shape.leavesColourOpen == true && shape.startsWithBracket)
    }

    /// Appends `line` to `p` when it continues it.
    private func continues(_ p: inout Pending, with line: Line, _ shape: LineShape) -> Bool {
        // A whole JSON line is a record of its own, colours open or not (it carries none).
        if p.colourOpen && !shape.isBlank && !shape.isCompleteJSON && p.colourLines < Self.maxColourLines {
            append(line, to: &p)
            p.colourLines += 1
            if let open = shape.leavesColourOpen { p.colourOpen = open }
            if shape.isFrame { p.isStack = true }
            return true
        }
        if shape.isIndented && !shape.isBlank {
            if shape.isFrame {
                p.isStack = true
                if shape.opensBlock { p.openBlock = true }
            }
            append(line, to: &p)
            if let open = shape.leavesColourOpen { p.colourOpen = open }
            return true
        }
        if shape.closesBlock && p.openBlock {
            append(line, to: &p)
            p.openBlock = false
            return true
        }
        if shape.isCause && p.isStack {
            append(line, to: &p)
            return true
        }
        return false
    }

    private mutating func emitPending(into out: inout [AssembledRecord]) {
        if let p = pending {
            out.append(p.record)
            pending = nil
        }
    }

    private func record(from line: Line) -> AssembledRecord {
        AssembledRecord(raw: line.bytes, startOffset: line.start, endOffset: line.end, truncated: line.truncated, envelopeTime: line.envelopeTime)
    }

    /// Appends a line to a record, `\n` first, within `maxRecordBytes`.
    private func append(_ line: Line, to p: inout Pending) {
        let room = maxRecordBytes - p.record.raw.count - 1
        if room >= 0 {
            p.record.raw.append(0x0A)
            let take = min(room, line.bytes.count)
            p.record.raw.append(contentsOf: line.bytes[0..<take])
            if take < line.bytes.count { p.record.truncated = true }
        } else {
            p.record.truncated = true
        }
        if line.truncated { p.record.truncated = true }
        p.record.endOffset = line.end
    }
}
