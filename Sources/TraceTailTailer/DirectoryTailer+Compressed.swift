import TraceTailCore

/// `.gz` rotated copies: inflated in chunks through their descriptor (never whole in memory),
/// once per look, and only trusted when the compressed stream ends properly.
extension DirectoryTailer {
    /// Compressed bytes read per step.
    static let compressedChunkBytes = 1 << 20

    /// Inflates a `.gz` copy of `size` compressed bytes, handing each inflated chunk to `consume`
    /// with the offset (in inflated bytes) it starts at. Returns the inflated size. Throws, naming
    /// the file, when the data is damaged or the stream stops before its end (a copy cut short or
    /// still being written): what was handed out is then not to be trusted as the whole file.
    func inflateCopy(_ fd: Int32, name: String, size: Int64, _ consume: ([UInt8], Int64) throws -> Void) throws -> Int64 {
        let decoder = try GzipStreamDecoder()
        var read: Int64 = 0
        var inflated: Int64 = 0
        while read < size {
            let count = Int(min(Int64(Self.compressedChunkBytes), size - read))
            let chunk = try FileSystem.read(fd, offset: read, count: count, path: name)
            guard !chunk.isEmpty else { break }
            read += Int64(chunk.count)
            let bytes: [UInt8]
            do { bytes = try decoder.decode(chunk) } catch {
                throw TailerError(operation: "gunzip", path: name, errno: 0, detail: "damaged compressed data at byte \(read - Int64(chunk.count)) or after (\(error))")
            }
            try consume(bytes, inflated)
            inflated += Int64(bytes.count)
        }
        guard decoder.isComplete else {
            throw TailerError(
                operation: "gunzip", path: name, errno: 0,
                detail: "the compressed stream stops before its end after \(read) bytes (cut short, or still being written); not read")
        }
        return inflated
    }

    /// What a `.gz` copy continues: the state, the offset to read the copy from, and the copy's
    /// end inflated with the fingerprint of the bytes before that end (for the hand-over: the file
    /// goes on after the copy's end, which a plain copy's bytes on disk would give).
    struct CompressedContinuation {
        var offset: Int64
        var state: FileState
        var end: Int64
        var endTailHash: UInt64
    }

    /// The state among `candidates` that a `.gz` copy continues; the copy is inflated once for all
    /// candidates, keeping only the bytes the fingerprints need. As for a plain copy (`adopt`), a
    /// state whose bytes before its offset were compared wins over a match on the first bytes
    /// only, the furthest of those first.
    func compressedContinuation(copy fd: Int32, name: String, size: Int64, of candidates: [FileState]) throws -> CompressedContinuation? {
        let candidates = candidates.filter { $0.offset > 0 && $0.headLength > 0 }
        guard !candidates.isEmpty else { return nil }
        let headLength = candidates.map(\.headLength).max()!
        let tailRanges = candidates.map { state -> Range<Int64> in
            (state.offset - min(Int64(FileFingerprint.tailSize), state.offset))..<state.offset
        }
        var head: [UInt8] = []
        var tails = [[UInt8]](repeating: [], count: candidates.count)
        var last: [UInt8] = []
        let total = try inflateCopy(fd, name: name, size: size) { bytes, start in
            if head.count < headLength { head += bytes.prefix(headLength - head.count) }
            last = Array((last + bytes.suffix(FileFingerprint.tailSize)).suffix(FileFingerprint.tailSize))
            let end = start + Int64(bytes.count)
            for (index, range) in tailRanges.enumerated() {
                let lower = max(range.lowerBound, start)
                let upper = min(range.upperBound, end)
                if lower < upper { tails[index] += bytes[Int(lower - start)..<Int(upper - start)] }
            }
        }
        var found: CompressedContinuation?
        var foundChecked = false
        let endTailHash = last.isEmpty ? FileFingerprint.emptyHash : FileFingerprint.hash(last)
        for (index, state) in candidates.enumerated() {
            let headHash = head.count >= state.headLength ? FileFingerprint.hash(head.prefix(state.headLength)) : nil
            let tailHash = tails[index].count == tailRanges[index].count ? FileFingerprint.hash(tails[index]) : nil
            guard let offset = TailDecision.continuation(of: state, copySize: total, copyHeadHash: headHash, copyTailHash: tailHash) else { continue }
            let checked = offset == state.offset
            if found == nil || (checked && (!foundChecked || offset > found!.offset)) {
                found = CompressedContinuation(offset: offset, state: state, end: total, endTailHash: endTailHash)
                foundChecked = checked
            }
        }
        return found
    }

    /// A `.gz` rotated copy, once it has stopped growing: inflated `readChunkBytes` of compressed
    /// bytes per pass (so its records are committed as they come, like any file's, and memory stays
    /// bounded), from the start, handing on what lies past the saved offset. Let go once its stream
    /// ends properly. A stream that is damaged or stops before its end is an error naming the file:
    /// reported once, counted, the file not marked read (the records before the damage are kept,
    /// once); it is tried again, from the saved position, when its size changes. Returns whether
    /// there is more to read.
    func readCompressed(_ file: inout TrackedFile, status: FileSystem.Status, now: Int64) throws -> Bool {
        defer { file.lastSize = status.size }
        guard file.state.status == .live else { return false }
        guard status.size == file.lastSize else {
            // Still being written, or rewritten: start again once it is stable.
            file.gzip = nil
            return false
        }
        guard file.failedSize != status.size else { return false }
        let name = file.state.path
        do {
            let progress = try file.gzip ?? GzipProgress()
            file.gzip = progress
            let count = Int(min(Int64(configuration.readChunkBytes), status.size - progress.compressedOffset))
            let chunk = count > 0 ? try FileSystem.read(file.fd, offset: progress.compressedOffset, count: count, path: name) : []
            progress.compressedOffset += Int64(chunk.count)
            let bytes: [UInt8]
            do { bytes = try progress.decoder.decode(chunk) } catch {
                throw TailerError(
                    operation: "gunzip", path: name, errno: 0,
                    detail: "damaged compressed data at byte \(progress.compressedOffset - Int64(chunk.count)) or after (\(error)); read up to there")
            }
            let start = progress.inflatedOffset
            progress.inflatedOffset += Int64(bytes.count)
            let skip = file.assembler.readOffset
            if progress.inflatedOffset > skip {
                feed(start >= skip ? bytes : Array(bytes[Int(skip - start)...]), to: &file, now: now)
            }
            if !chunk.isEmpty && progress.compressedOffset < status.size { return true }
            guard progress.decoder.isComplete else {
                throw TailerError(
                    operation: "gunzip", path: name, errno: 0,
                    detail: "the compressed stream stops before its end after \(progress.compressedOffset) bytes (cut short, or still being written); read up to there, not marked read")
            }
        } catch {
            file.gzip = nil
            file.failedSize = status.size
            damagedCopies += 1
            metrics.damagedCopy(app: file.state.app)
            throw error
        }
        file.gzip = nil
        file.failedSize = nil
        for record in file.assembler.closePending() { collect(record, from: &file, now: now) }
        releaseUntimed(&file, now: now)
        file.state.status = .retired
        file.dirty = true
        return false
    }
}

/// How far a `.gz` copy has been inflated, across passes.
final class GzipProgress {
    let decoder: GzipStreamDecoder
    var compressedOffset: Int64 = 0
    var inflatedOffset: Int64 = 0

    init() throws { decoder = try GzipStreamDecoder() }
}
