import TraceTailCore

extension DirectoryTailer {
    /// Looks at one file and reads what is new, up to `readChunkBytes`. Returns whether bytes are
    /// left to read.
    func advance(_ id: Int64, now: Int64) async throws -> Bool {
        guard var file = tracked[id], file.state.status == .live else { return false }
        guard let status = FileSystem.status(fd: file.fd) else {
            throw TailerError(operation: "fstat", path: file.state.path, errno: 0)
        }
        if file.compressed {
            defer { tracked[id] = file }
            return try readCompressed(&file, status: status, now: now)
        }
        let changed = status.size != file.lastSize || status.modified != file.lastModified
        if changed {
            let tailLength = Int(min(Int64(FileFingerprint.tailSize), file.state.offset))
            let observation = FileObservation(
                device: status.device, inode: status.inode, size: status.size,
                headHash: file.state.headLength > 0
                    ? try FileSystem.hash(file.fd, offset: 0, length: file.state.headLength, path: file.state.path) : nil,
                tailHash: file.state.offset > 0
                    ? try FileSystem.hash(file.fd, offset: file.state.offset - Int64(tailLength), length: tailLength, path: file.state.path)
                    : nil)
            var action = TailDecision.decide(file.state, observation)
            if status.size < file.assembler.readOffset { action = .truncated }
            if action == .truncated {
                guard try await handleTruncation(id, now: now) else { return false }
                file = tracked[id]!
            }
            file.lastModified = status.modified
        }
        file.lastSize = status.size
        var more = false
        if status.size > file.assembler.readOffset {
            let count = Int(min(Int64(configuration.readChunkBytes), status.size - file.assembler.readOffset))
            let bytes = try FileSystem.read(file.fd, offset: file.assembler.readOffset, count: count, path: file.state.path)
            file.catchingUp = file.neverRead || status.size - file.assembler.readOffset > 64 * 1024
            file.neverRead = false
            feed(bytes, to: &file, now: now)
            more = file.assembler.readOffset < status.size
        }
        if !more {
            // The clock was set back since the file's last bytes: its quiet time starts again from
            // now (at most one group idle time more), rather than lasting until the clock is back
            // where it was, or ending at once and cutting a stack from its error line.
            if file.lastData > now { file.lastData = now }
            if file.assembler.hasPendingRecord, file.gone || now - file.lastData >= configuration.groupIdleMillis {
                for record in file.assembler.closePending() { collect(record, from: &file, now: now) }
            }
            releaseUntimed(&file, now: now)
            if file.gone {
                file.state.status = .retired
                file.dirty = true
            }
        }
        tracked[id] = file
        return more
    }

    func feed(_ bytes: [UInt8], to file: inout TrackedFile, now: Int64) {
        guard !bytes.isEmpty else { return }
        var records: [AssembledRecord]
        if bytes[0] == 0, !file.assembler.hasPendingRecord, !file.assembler.hasPartialLine {
            // NUL bytes where a line would start (a file's hole after a copy-and-truncate whose
            // writer kept its offset, a preallocated file): not a record. Skipped and counted, so
            // that the saved position moves past them and a restart does not read them again.
            let nuls = bytes.prefix { $0 == 0 }.count
            file.assembler = RecordAssembler(offset: file.assembler.readOffset + Int64(nuls), options: file.assembler.options)
            file.counters.bytesSkipped += Int64(nuls)
            records = file.assembler.append(Array(bytes[nuls...]))
        } else {
            records = file.assembler.append(bytes)
        }
        // A line longer than the record limit with no end yet is stored cut now (see the assembler).
        records += file.assembler.releaseOverlongLine()
        file.remember(bytes)
        file.counters.bytesRead += Int64(bytes.count)
        file.lastData = now
        file.dirty = true
        // A backlog of a file of JSON records is parsed on every core first (the results do not
        // depend on the reference time); `collect` then goes through the records in order as
        // before. A file of other records is parsed in order only, since each record's reference
        // is the time of the one before it.
        if records.count >= 64, file.lastWasJSON, configuration.parseThreads > 1 {
            let parsed = parser.parseAll(records, referenceTime: now, slices: configuration.parseThreads)
            for (record, fields) in zip(records, parsed) {
                collect(record, from: &file, now: now, parsed: fields.isReferenceFree ? fields : nil)
            }
        } else {
            for record in records { collect(record, from: &file, now: now) }
        }
    }

    /// Parses a record and queues it for the next commit.
    ///
    /// A record with no time of its own (an inspect line, plain text, a bare stack) gets the time it
    /// was read, or, while a file's backlog is read (history, a restart, a burst), the time of the
    /// record before it in the same file: read months later, "now" would put it far from its
    /// neighbours and split its trace in time. Such records at the very start of a backlog, with
    /// no record before them, wait for the next record that has a time and take it; if none comes
    /// in the same read, they take the file's modification time (`releaseUntimed`).
    func collect(_ record: AssembledRecord, from file: inout TrackedFile, now: Int64, parsed: RecordFields? = nil) {
        let fallback = file.catchingUp ? (file.lastTime ?? now) : now
        let fields = parsed ?? parser.parse(record: record, referenceTime: fallback)
        file.lastWasJSON = fields.isReferenceFree
        if fields.time == nil, file.catchingUp, file.lastTime == nil {
            file.untimed.append((record, fields))
            return
        }
        if let time = fields.time, !file.untimed.isEmpty {
            for (held, heldFields) in file.untimed { enqueue(held, fields: heldFields, readTime: time, from: &file) }
            file.untimed = []
        }
        enqueue(record, fields: fields, readTime: fallback, from: &file)
    }

    /// Queues the records still waiting for a time with the file's modification time (or `now`
    /// when the file has none that is earlier): no record is held past the end of a read, so
    /// the position saved at the next commit never passes a record that is not in it.
    func releaseUntimed(_ file: inout TrackedFile, now: Int64) {
        guard !file.untimed.isEmpty else { return }
        let modified = file.lastModified > 0 ? file.lastModified / 1_000_000 : now
        let time = min(modified, now)
        for (held, fields) in file.untimed { enqueue(held, fields: fields, readTime: time, from: &file) }
        file.untimed = []
    }

    private func enqueue(_ record: AssembledRecord, fields: RecordFields, readTime: Int64, from file: inout TrackedFile) {
        let indexed = IndexedRecord(record, fields: fields, readTime: readTime)
        file.lastTime = indexed.time
        batch.append(IngestBatch.Entry(fileID: file.state.id, record: indexed))
        batchBytes += record.raw.count
        collectedRecords += 1
        file.counters.records += 1
        if record.truncated { file.counters.linesTruncated += 1 }
        file.dirty = true
    }

    /// Starts committing the queued records with the positions after them, in one transaction,
    /// after the previous commit has finished. Reading goes on while the store compresses and
    /// writes (one commit in flight at most); a failed commit is tried again with the next one.
    package func flush(now: Int64) async throws {
        // A commit that failed goes first: committed after a newer one, its older positions would
        // be saved last, and a kill before the next commit would read the newer records again.
        // (A pass retries it at its start, but a file's error within the pass, a commit of a copy
        // found while handling a truncation, say, may set it and the pass still flushes.)
        try await retryFailedCommit()
        for id in tracked.keys where !tracked[id]!.untimed.isEmpty {
            releaseUntimed(&tracked[id]!, now: now)
        }
        if let failed = await settle() {
            // Nothing more is read or handed over until this one is stored (`retryFailedCommit`):
            // memory stays bounded by one commit and the batch read since, whatever the outage.
            failedCommit = failed
            throw CommitFailure(underlying: lastCommitError ?? TailerError(operation: "commit", path: "", errno: 0))
        }
        var states: [Int64: FileState] = [:]
        for (id, file) in tracked where file.dirty {
            states[id] = try checkpoint(file)
        }
        let records = batch
        guard !records.isEmpty || !states.isEmpty else {
            // Nothing to store after the clock was set back: the interval starts again from now,
            // so that the passes that follow do not each call this again until the clock is back.
            if now < lastFlush { lastFlush = now }
            return
        }
        // The interval counts from the last commit that carried something: a pass with nothing
        // to store does not restart it, so a record read after a quiet spell is committed by the
        // pass that read it (idle passes every poll interval used to restart it, and such a record
        // waited a whole flush interval: 255 ms to be found, every time).
        lastFlush = now
        let commit = IngestBatch(records: records, files: Array(states.values), storedAt: now)
        // The next batch is given this one's size at once: grown from empty, an array of a few
        // thousand entries (a few hundred bytes each) was reallocated a dozen times per commit, the
        // last few above glibc's mmap threshold, each a fresh mapping copied into and faulted in
        // page by page (a third of `tracetail ingest`'s page faults). Pages not written to are
        // not resident, so a large reservation after a backlog costs no memory.
        batch = []
        batch.reserveCapacity(records.count)
        batchBytes = 0
        for state in states.values {
            tracked[state.id]?.state = state
            tracked[state.id]?.dirty = false
        }
        let store = self.store
        let metrics = self.metrics.commits
        let end = CommitEnd()
        inFlight = (Task {
            defer { end.end() }
            let started = ContinuousClock.now
            try await store.append(commit)
            let (seconds, attoseconds) = (ContinuousClock.now - started).components
            metrics.committed(records: commit.records.count, nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }, commit, end)
    }

    /// Commits everything read so far and waits until it is stored.
    package func commit(now: Int64) async throws {
        try await retryFailedCommit()
        try await flush(now: now)
        if let failed = await settle() {
            // One more try, then give up: the records stay after the saved positions on disk
            // and are read again at the next start.
            failedCommit = failed
            try await retryFailedCommit()
        }
    }

    /// Stores the commit that failed, if any, before anything else is read. Throws
    /// `CommitFailure` while the store still refuses it (a full disk, say): the caller backs off.
    func retryFailedCommit() async throws {
        guard let failed = failedCommit else { return }
        do {
            try await store.append(failed)
        } catch {
            lastCommitError = error
            commitFailures += 1
            throw CommitFailure(underlying: error)
        }
        failedCommit = nil
        finish(failed)
    }

    /// Waits for the commit in flight. Returns its batch if it failed, to be tried again.
    func settle() async -> IngestBatch? {
        guard let (task, commit, _) = inFlight else { return nil }
        inFlight = nil
        do {
            try await task.value
        } catch {
            lastCommitError = error
            commitFailures += 1
            return commit
        }
        finish(commit)
        return nil
    }

    /// After a commit: files read to their end and let go are closed and forgotten.
    private func finish(_ commit: IngestBatch) {
        lastGoodCommit = WallClock.nowMillis()
        for state in commit.files { tracked[state.id]?.storedOffset = state.offset }
        for state in commit.files where state.status == .retired {
            guard let file = tracked[state.id] else { continue }
            FileSystem.close(file.fd)
            tracked[state.id] = nil
            retiredStates.append(state)
            letGo[LetGoKey(state)] = state
            metrics.retire(state)
            if byName[state.path] == state.id { byName[state.path] = nil }
            logger.info("file let go", metadata: ["file": "\(state.path)", "offset": "\(state.offset)"])
        }
        if retiredStates.count > 2000 { retiredStates.removeFirst(retiredStates.count - 1000) }
    }

    /// The state to save for a file: its position at the last record boundary and the
    /// fingerprints at that position.
    func checkpoint(_ file: TrackedFile) throws -> FileState {
        var state = file.state
        state.counters = file.counters
        state.offset = file.assembler.committedOffset
        guard !file.compressed else { return state }
        let tailLength = Int(min(Int64(FileFingerprint.tailSize), state.offset))
        if tailLength == 0 {
            state.tailHash = FileFingerprint.emptyHash
        } else if let bytes = file.recentBytes(endingAt: state.offset, length: tailLength) {
            state.tailHash = FileFingerprint.hash(bytes)
        } else if state.offset == file.state.offset, file.state.tailHash != FileFingerprint.emptyHash {
            // Nothing read since that fingerprint was taken (after a restart, the saved one): it
            // is of the bytes as they were read. The file on disk may hold others there by now,
            // copied and truncated by pm2-logrotate while the daemon was down and written past
            // this offset again; hashed from disk, the copy holding the bytes read would not be
            // recognised and would be read again from its start.
        } else if let hash = try FileSystem.hash(file.fd, offset: state.offset - Int64(tailLength), length: tailLength, path: state.path) {
            state.tailHash = hash
        }
        let headLength = Int(min(Int64(FileFingerprint.headSize), state.offset))
        if headLength > state.headLength,
           let hash = try FileSystem.hash(file.fd, offset: 0, length: headLength, path: state.path)
        {
            state.headLength = headLength
            state.headHash = hash
        }
        return state
    }

    /// Reads every file to its current end, closes the records still held back, commits, and
    /// returns how many records were stored. For `tracetail ingest`.
    package func drain(now: () -> Int64) async throws -> Int {
        let before = collectedRecords
        var passes = 0
        repeat {
            passes += 1
            let more = try await poll(now: now())
            if !more && passes > 1 { break }
        } while true
        for id in tracked.keys {
            var file = tracked[id]!
            for record in file.assembler.closePending() { collect(record, from: &file, now: now()) }
            releaseUntimed(&file, now: now())
            tracked[id] = file
        }
        try await commit(now: now())
        return collectedRecords - before
    }
}
