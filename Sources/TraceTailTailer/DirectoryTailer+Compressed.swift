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

    /// The state among `candidates` that a `.gz` copy continues, and the offset to read the copy
    /// from; the copy is inflated once for all candidates, keeping only the bytes the fingerprints
    /// need.
    func compressedContinuation(copy fd: Int32, name: String, size: Int64, of candidates: [FileState]) throws -> (offset: Int64, state: FileState)? {
        let candidates = candidates.filter { $0.offset > 0 && $0.headLength > 0 }
        guard !candidates.isEmpty else { return nil }
        let headLength = candidates.map(\.headLength).max()!
        let tailRanges = candidates.map { state -> Range<Int64> in
            (state.offset - min(Int64(FileFingerprint.tailSize), state.offset))..<state.offset
        }
        var head: [UInt8] = []
        var tails = [[UInt8]](repeating: [], count: candidates.count)
        let total = try inflateCopy(fd, name: name, size: size) { bytes, start in
            if head.count < headLength { head += bytes.prefix(headLength - head.count) }
            let end = start + Int64(bytes.count)
            for (index, range) in tailRanges.enumerated() {
                let lower = max(range.lowerBound, start)
                let upper = min(range.upperBound, end)
                if lower < upper { tails[index] += bytes[Int(lower - start)..<Int(upper - start)] }
            }
        }
        for (index, state) in candidates.enumerated() {
            let headHash = head.count >= state.headLength ? FileFingerprint.hash(head.prefix(state.headLength)) : nil
            let tailHash = tails[index].count == tailRanges[index].count ? FileFingerprint.hash(tails[index]) : nil
            if let offset = TailDecision.continuation(of: state, copySize: total, copyHeadHash: headHash, copyTailHash: tailHash) {
                return (offset, state)
            }
        }
        return nil
    }

    /// A `.gz` rotated copy, once it has stopped growing: inflated in chunks and read from the
    /// saved offset, then let go. A copy whose stream does not end properly is not read at all
    /// (its records are dropped from the batch, the file stays unread): the error is reported once
    /// and counted, and the copy is tried again when its size changes.
    func readCompressed(_ file: inout TrackedFile, status: FileSystem.Status, now: Int64) throws {
        defer { file.lastSize = status.size }
        guard file.state.status == .live, status.size == file.lastSize, file.failedSize != status.size else { return }
        let mark = (records: batch.count, bytes: batchBytes, collected: collectedRecords)
        var trial = file
        let skip = file.state.offset
        do {
            _ = try inflateCopy(trial.fd, name: trial.state.path, size: status.size) { bytes, start in
                let end = start + Int64(bytes.count)
                guard end > skip else { return }
                feed(start >= skip ? bytes : Array(bytes[Int(skip - start)...]), to: &trial, now: now)
            }
        } catch {
            batch.removeSubrange(mark.records...)
            batchBytes = mark.bytes
            collectedRecords = mark.collected
            file.failedSize = status.size
            damagedCopies += 1
            metrics.damagedCopy(app: file.state.app)
            throw error
        }
        file = trial
        file.failedSize = nil
        for record in file.assembler.closePending() { collect(record, from: &file, now: now) }
        file.state.status = .retired
        file.dirty = true
    }
}
