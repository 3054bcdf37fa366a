import TraceTailCore

extension DirectoryTailer {
    /// Compares the directory with what is followed: renames, deletions and new files. Returns
    /// what it found of each name, for the pass that follows (`needsLook`).
    @discardableResult
    func scan(now: Int64) async throws -> [String: FileSystem.Status] {
        let names = try listLogFiles()
        if !letGo.isEmpty || !unreadableFiles.isEmpty {
            let listed = Set(names)
            letGo = letGo.filter { listed.contains($0.key.path) }
            unreadableFiles = unreadableFiles.filter { listed.contains($0.key) }
        }
        var present: [FileKey: String] = [:]
        var statuses: [String: FileSystem.Status] = [:]
        // Listed, but could not be looked at (removed since the listing, or an error): not taken
        // for gone on this pass; the next listing tells.
        var unknown = Set<String>()
        // One file under two names (a symbolic or hard link in the directory) is followed under
        // one of them: the one followed already, else the first listed. Taken under both, it was
        // stored twice, and again at every full pass (each name in turn taken for a rename of the
        // other, which then looked new).
        let followedNames = Set(tracked.values.lazy.filter { !$0.gone }.map(\.state.path))
        for name in names {
            guard let status = FileSystem.status(path(name)) else {
                unknown.insert(name)
                continue
            }
            guard status.isRegular else { continue }
            let key = FileKey(device: status.device, inode: status.inode)
            if let other = present[key] {
                let kept = followedNames.contains(name) && !followedNames.contains(other) ? name : other
                let dropped = kept == name ? other : name
                statuses[dropped] = nil
                present[key] = kept
                if linkedNames.insert(dropped).inserted {
                    logger.notice("another name of a file already followed; not read under it", metadata: [
                        "file": "\(dropped)", "followed_as": "\(kept)",
                    ])
                }
                continue
            }
            statuses[name] = status
            present[key] = name
        }
        // Two followed files on one inode: a store of a build that took a linked file under both
        // names saved both, and a start reopened both. The one read furthest stays; the others
        // are let go of where they are (their bytes are the one kept's), or every line would go on
        // being stored twice.
        var byInode: [FileKey: [Int64]] = [:]
        for (id, file) in tracked where !file.gone && file.state.status != .retired {
            byInode[FileKey(device: file.state.device, inode: file.state.inode), default: []].append(id)
        }
        for ids in byInode.values where ids.count > 1 {
            let kept = ids.max { (tracked[$0]!.assembler.committedOffset, -$0) < (tracked[$1]!.assembler.committedOffset, -$1) }!
            for id in ids where id != kept {
                letGoInPlace(id)
                logger.notice("the same file followed under two names; one is let go of", metadata: [
                    "file": "\(tracked[id]!.state.path)", "followed_as": "\(tracked[kept]!.state.path)",
                ])
            }
        }
        // Followed files: renamed, or gone from the directory.
        var newByName: [String: Int64] = [:]
        for (id, file) in tracked where !file.gone && file.state.status != .retired {
            let key = FileKey(device: file.state.device, inode: file.state.inode)
            if let name = present[key] {
                if name != file.state.path {
                    logger.info("file renamed", metadata: ["from": "\(file.state.path)", "to": "\(name)"])
                    tracked[id]!.state.path = name
                    tracked[id]!.dirty = true
                }
                newByName[name] = id
            } else if unknown.contains(file.state.path) {
                newByName[file.state.path] = id
            } else {
                logger.info("file gone; reading what is left", metadata: ["file": "\(file.state.path)"])
                tracked[id]!.gone = true
                tracked[id]!.dirty = true
            }
        }
        byName = newByName
        // New files: rotated copies first, since they may continue a file being followed. A copy
        // still being written (its size changed since the last look) waits for the next pass.
        let fresh = names.filter { name in
            guard let status = statuses[name], byName[name] == nil else { return false }
            return isNew(name, status)
        }
        var growing: [String: Int64] = [:]
        for name in fresh where PM2FileName(name)?.isRotatedCopy == true {
            if Self.mayStillGrow(statuses[name]!, seenSize: copySizes[name], now: now) { growing[name] = statuses[name]!.size }
        }
        copySizes = growing
        let copies = fresh.filter { PM2FileName($0)?.isRotatedCopy == true && growing[$0] == nil && !awaitsTruncation(of: $0, statuses, now: now) }
        for name in copies + fresh.filter({ PM2FileName($0)?.isRotatedCopy != true }) {
            try await adopt(name, status: statuses[name]!, now: now)
        }
        return statuses
    }

    /// Whether a rotated copy is being made of a followed file that has not been truncated since
    /// it was read (the file is as long as what was read of it, or longer): then the copy is left
    /// for the truncation to take (`handleTruncation`). pm2-logrotate truncates the file only once
    /// its copy is whole, but the copy is written in pieces and may stop growing for a while
    /// between two (a loaded machine): taken then, it was followed from where it had got to, and
    /// the live file was sent back there and read again (the chaos test stored hundreds of
    /// records twice). A copy is taken to be of the file when it begins with the file's first
    /// bytes: its saved head fingerprint, or, for a copy shorter than that, the same bytes as the
    /// file on disk, if written in the last 10 s (older short files are history, read at once).
    /// A copy of a file that is never truncated holds what the file itself holds: it is not read.
    /// `.gz` copies are not compared (their completeness is checked by their own format).
    func awaitsTruncation(of copy: String, _ statuses: [String: FileSystem.Status], now: Int64) -> Bool {
        guard !copy.hasSuffix(".gz"), let copyStatus = statuses[copy], let source = PM2FileName(copy)?.rotatedFrom,
              let id = byName[source], let file = tracked[id], file.state.status == .live, !file.gone, !file.compressed,
              file.state.headLength > 0, let status = statuses[source],
              status.device == file.state.device, status.inode == file.state.inode, status.size >= file.assembler.readOffset,
              let fd = try? FileSystem.open(path(copy))
        else { return false }
        defer { FileSystem.close(fd) }
        let headLength = file.state.headLength
        if copyStatus.size >= Int64(headLength) {
            return (try? FileSystem.hash(fd, offset: 0, length: headLength, path: copy)) == file.state.headHash
        }
        guard now - copyStatus.modified / 1_000_000 < 10_000 else { return false }
        let length = Int(copyStatus.size)
        guard length > 0 else { return true }
        guard let copied = try? FileSystem.read(fd, offset: 0, count: length, path: copy),
              let original = try? FileSystem.read(file.fd, offset: 0, count: length, path: file.state.path)
        else { return false }
        return copied == original
    }

    /// Whether a rotated copy may still be being written: its size changed since the last look
    /// and it was written to within the last second. A copy found at start, untouched for a
    /// while, is complete at once (no need to wait a pass to see that it stopped growing).
    static func mayStillGrow(_ status: FileSystem.Status, seenSize: Int64?, now: Int64) -> Bool {
        seenSize != status.size && now - status.modified / 1_000_000 < 1_000
    }

    /// Lets a followed file go where it is, at the next commit: the records it holds are dropped
    /// (their bytes are another followed file's, read there).
    func letGoInPlace(_ id: Int64) {
        guard var file = tracked[id] else { return }
        _ = file.assembler.closePending()
        file.state.status = .retired
        file.dirty = true
        tracked[id] = file
    }

    /// Whether a name not followed is a file to take up: not a damaged copy unchanged since it
    /// failed, nor a file read to its end and let go.
    func isNew(_ name: String, _ status: FileSystem.Status) -> Bool {
        if let damaged = damagedCopySizes[name], damaged == status.size { return false }
        return !isRetiredAndUnchanged(name, status)
    }

    /// A file read to its end and let go (a `.gz` copy) that is still there: nothing to do. The same
    /// name and inode with other first bytes is a new file (the inode was reused).
    func isRetiredAndUnchanged(_ name: String, _ status: FileSystem.Status) -> Bool {
        guard let state = letGo[LetGoKey(path: name, device: status.device, inode: status.inode)] else { return false }
        if name.hasSuffix(".gz") { return true }
        guard state.headLength > 0, let fd = try? FileSystem.open(path(name)) else { return false }
        defer { FileSystem.close(fd) }
        return (try? FileSystem.hash(fd, offset: 0, length: state.headLength, path: name)) == state.headHash
    }

    /// Starts following a file that appeared. A rotated copy of a followed file continues where
    /// that file was read to; anything else is read from its start.
    func adopt(_ name: String, status: FileSystem.Status, now: Int64) async throws {
        let fd: Int32
        do { fd = try FileSystem.open(path(name)) } catch {
            report(error, file: name)
            unreadableFiles[name] = "\(error)"
            return
        }
        // The descriptor is the tracked file's once it is followed; closed on any way out before
        // (a failed hash, commit or register: a store out of space or busy, where the next pass
        // tries again and each try used to leave a descriptor open).
        var followed = false
        defer { if !followed { FileSystem.close(fd) } }
        var offset: Int64 = 0
        var source: FileState?
        var compressed: CompressedContinuation?
        let parsed = PM2FileName(name)
        if let parsed, parsed.isRotatedCopy, name.hasSuffix(".gz") {
            do {
                compressed = try compressedContinuation(copy: fd, name: name, size: status.size, of: knownStates(like: parsed))
                if let found = compressed {
                    (offset, source) = (found.offset, found.state)
                }
            } catch {
                // Cut short or damaged: not adopted now; tried again when its size changes.
                damagedCopySizes[name] = status.size
                damagedCopies += 1
                metrics.damagedCopy(app: parsed.app)
                report(error, file: name)
                return
            }
        } else {
            // A rotated copy may continue a file of its app; any other new file may be a followed
            // (or let go) file of the same name written again with the same first bytes.
            // A copy may match several states (the file it was made of, and an earlier copy of
            // that file, followed to its end): it continues the one read furthest, since all it
            // holds before that offset was read. (Taking the first in the followed files' order,
            // a dictionary's, a second copy sometimes continued the earlier copy and was read
            // again from that copy's end.) A file under a known name takes the most recent state.
            // A match whose bytes before the state's offset were compared (the copy reaches that
            // offset) wins over one on the first bytes only (a copy shorter than the state's
            // offset, which could be of another incarnation that began alike).
            let isCopy = parsed?.isRotatedCopy == true
            let candidates = isCopy ? knownStates(like: parsed!) : replacedStates(named: name)
            var sourceChecked = false
            for candidate in candidates {
                guard let continued = try continuation(copy: fd, name: name, size: status.size, of: candidate) else { continue }
                let checked = continued == candidate.offset
                if source == nil || (checked && (!sourceChecked || continued > offset)) {
                    offset = continued
                    source = candidate
                    sourceChecked = checked
                }
                if !isCopy { break }
            }
        }
        var state = FileState(
            path: name, app: parsed?.app ?? name, stream: parsed?.stream ?? .out, instance: parsed?.instance,
            device: status.device, inode: status.inode, offset: offset)
        if let source {
            // Its head is that of the file it copies, and so are the bytes before the offset
            // (hashed again when it stops short of what was read there).
            state.headLength = source.headLength
            state.headHash = source.headHash
            state.tailHash = source.tailHash
            if offset != source.offset, !name.hasSuffix(".gz") {
                let tailLength = Int(min(Int64(FileFingerprint.tailSize), offset))
                state.tailHash = tailLength == 0
                    ? FileFingerprint.emptyHash
                    : try FileSystem.hash(fd, offset: offset - Int64(tailLength), length: tailLength, path: name) ?? FileFingerprint.emptyHash
            }
        }
        if source != nil {
            // The new file is saved at once as holding the old one's bytes from `offset` on, and
            // `offset` counts records read but perhaps not stored yet: store them first. Killed
            // between the two, the daemon would read the truncated file from 0 and the copy from
            // `offset`, and those records would be in neither (tracetail-bench chaos --seed 3).
            try await commit(now: now)
        }
        state = try await store.register(state)
        tracked[state.id] = TrackedFile(state: state, fd: fd, maxRecordBytes: configuration.maxRecordBytes)
        followed = true
        readable(name)
        tracked[state.id]!.lastData = now
        byName[name] = state.id
        damagedCopySizes[name] = nil
        if let source, parsed?.isRotatedCopy != true {
            // The same bytes under the same name (git checkout, an editor's save, cp over it):
            // the same file continued. The one it replaces is let go of where the new one starts.
            logger.info("file replaced by one with the same beginning; continuing it", metadata: [
                "file": "\(name)", "offset": "\(offset)",
            ])
            // Held bytes lie after `offset`: read from the new file.
            letGoInPlace(source.id)
        } else if let source {
            logger.info("rotated copy continues a file already read", metadata: [
                "copy": "\(name)", "file": "\(source.path)", "offset": "\(offset)",
            ])
            // Hand over only when the copy continues the file as it is followed now; a state the
            // file had before a truncation (same id) is history: the file has moved on since.
            if let followed = tracked[source.id], !followed.gone, !followed.compressed, (try? checkpoint(followed)) == source {
                if let compressed {
                    try handOver(source.id, toCopy: state.id, copySize: compressed.end, compressedTailHash: compressed.endTailHash)
                } else {
                    try handOver(source.id, toCopy: state.id, copySize: offset == source.offset ? nil : offset)
                }
            }
        } else {
            logger.debug("following file", metadata: ["file": "\(name)", "offset": "\(offset)"])
        }
    }

    /// States a rotated copy may continue: followed files and files let go of, of the same app,
    /// stream and process.
    /// For a followed file, the state at the end of its last emitted record (records emitted but
    /// not committed yet count as read: the copy must not hand them out again).
    func knownStates(like copy: PM2FileName) -> [FileState] {
        let followed = tracked.values.filter { !$0.compressed }.compactMap { try? checkpoint($0) }
        return (followed + retiredStates).filter { state in
            state.app == copy.app && state.stream == copy.stream && state.instance == copy.instance
                && state.offset > 0 && state.headLength > 0
        }
    }

    /// States a file that appears under a known name may continue: a followed file that just
    /// left the directory under that name, then files of that name let go of (most recent first).
    /// A new file that begins with the same bytes as one of them is that file, written again.
    func replacedStates(named name: String) -> [FileState] {
        let gone = tracked.values.filter { $0.gone && !$0.compressed && $0.state.path == name && $0.state.status == .live }
            .compactMap { try? checkpoint($0) }
        return (gone + retiredStates.reversed().filter { $0.path == name && !$0.path.hasSuffix(".gz") })
            .filter { $0.offset > 0 && $0.headLength > 0 }
    }

    /// A copy now holds the bytes of a followed file from its saved offset on: the file goes on
    /// after the copy's end, so that nothing is read twice. If the file was truncated (as
    /// pm2-logrotate does right after copying), the next look at it sees that and starts at 0.
    ///
    /// A copy that ends before the last record read of the file holds nothing new: the file stays
    /// where it is. Sent back to the copy's end, it was read again from there whenever it was not
    /// truncated first (a copy left by a copier that never truncated, found at the next rotation;
    /// a `.gz` copy finished while the app went on writing; a copy taken while still being made).
    func handOver(_ sourceID: Int64, toCopy copyID: Int64, copySize: Int64?, compressedTailHash: UInt64? = nil) throws {
        let copy = tracked[copyID]!
        var file = tracked[sourceID]!
        let end: Int64
        if let copySize {
            end = copySize
        } else {
            end = copy.compressed ? file.state.offset : (FileSystem.status(fd: copy.fd)?.size ?? file.state.offset)
        }
        // Against the end of the last record given out, not of the bytes read: a record still
        // held (waiting for continuation lines, or for its line end) is in the copy, and is read
        // from there.
        guard end >= file.assembler.committedOffset else {
            logger.info("rotated copy ends before what was read of its file; the file goes on", metadata: [
                "copy": "\(copy.state.path)", "file": "\(file.state.path)", "copy_end": "\(end)", "read": "\(file.assembler.committedOffset)",
            ])
            file.counters.rotations += 1
            file.dirty = true
            tracked[sourceID] = file
            return
        }
        let tailLength = Int(min(Int64(FileFingerprint.tailSize), end))
        let tail = copy.compressed ? compressedTailHash : try FileSystem.hash(copy.fd, offset: end - Int64(tailLength), length: tailLength, path: copy.state.path)
        file.counters.rotations += 1
        // The fingerprint of the bytes before the new offset is the copy's (a `.gz` copy's from its
        // inflated bytes, `compressedTailHash`), never the live file's on disk, which could hold
        // other bytes there by now. Without one (a `.gz` copy handed over without its hash), the
        // saved one stays when the offset does.
        file.state.tailHash = tail ?? (end == file.state.offset ? file.state.tailHash : FileFingerprint.emptyHash)
        file.state.offset = end
        file.assembler = RecordAssembler(offset: end, options: file.assembler.options)
        file.recent = []
        file.lastSize = -1
        file.dirty = true
        tracked[sourceID] = file
    }

    /// If the (uncompressed) copy holds what was read of `live`, the offset to continue it from.
    func continuation(copy fd: Int32, name: String, size: Int64, of live: FileState) throws -> Int64? {
        guard live.offset > 0, live.headLength > 0 else { return nil }
        let tailLength = Int(min(Int64(FileFingerprint.tailSize), live.offset))
        return TailDecision.continuation(
            of: live, copySize: size,
            copyHeadHash: try FileSystem.hash(fd, offset: 0, length: live.headLength, path: name),
            copyTailHash: try FileSystem.hash(fd, offset: live.offset - Int64(tailLength), length: tailLength, path: name))
    }

    /// A followed file was truncated in place. pm2-logrotate copies before it truncates, so look
    /// for the copy first: it holds whatever was not read yet. Returns false when a copy is still
    /// being written: the truncation is handled on a later pass, once the copy is complete.
    func handleTruncation(_ id: Int64, now: Int64) async throws -> Bool {
        let name = tracked[id]!.state.path
        for candidate in try listLogFiles() where byName[candidate] == nil && PM2FileName(candidate)?.rotatedFrom == name {
            // Not a copy read before (a `.gz` copy is let go of once read; taken up again here, it
            // was stored again at every truncation of its file), nor a damaged one unchanged.
            guard let status = FileSystem.status(path(candidate)), status.isRegular, isNew(candidate, status) else { continue }
            if Self.mayStillGrow(status, seenSize: copySizes[candidate], now: now) {
                copySizes[candidate] = status.size
                return false
            }
            copySizes[candidate] = nil
            try await adopt(candidate, status: status, now: now)
        }
        var file = tracked[id]!
        // Records already read past the saved offset are stored now (no copy holds them any more,
        // or a copy took over and the assembler was reset). A half line after them is lost.
        let held = file.assembler.closePending()
        for record in held { collect(record, from: &file, now: now) }
        file.counters.bytesSkipped += file.assembler.readOffset - file.assembler.committedOffset
        // Remember what this file was, read to its last record, so that a copy found later
        // continues from there.
        var previous = file.state
        previous.offset = file.assembler.committedOffset
        let tailLength = Int(min(Int64(FileFingerprint.tailSize), previous.offset))
        if let tail = file.recentBytes(endingAt: previous.offset, length: tailLength) {
            previous.tailHash = FileFingerprint.hash(tail)
        }
        if previous.headLength == 0, previous.offset > 0, file.recent.count >= Int(file.assembler.readOffset) {
            let head = file.recent.prefix(min(FileFingerprint.headSize, Int(previous.offset)))
            previous.headLength = head.count
            previous.headHash = FileFingerprint.hash(head)
        }
        retiredStates.append(previous)
        logger.info("file truncated; reading from the start", metadata: [
            "file": "\(name)", "offset": "\(file.state.offset)", "read": "\(file.assembler.readOffset)",
        ])
        file.counters.truncations += 1
        file.state.offset = 0
        file.state.headLength = 0
        file.state.headHash = FileFingerprint.emptyHash
        file.state.tailHash = FileFingerprint.emptyHash
        file.assembler = RecordAssembler(offset: 0, options: file.assembler.options)
        file.recent = []
        file.lastSize = -1
        file.dirty = true
        tracked[id] = file
        return true
    }
}
