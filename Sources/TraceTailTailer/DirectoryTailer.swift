import Logging
import Metrics
import Synchronization
import TraceTailCore

/// Follows every log file of one directory and stores its records through a `LogStore`, exactly
/// once: records and the file positions after them are committed in one transaction, positions
/// always at record boundaries.
///
/// Not thread-safe: one task owns it (the `TailerService`, or `tracetail ingest`). Time is passed
/// in, so tests control it.
package final class DirectoryTailer {
    package let configuration: TailerConfiguration
    let store: any LogStore
    let logger: Logger
    let parser: RecordParser
    var tracked: [Int64: TrackedFile] = [:]
    /// File ids by current name, for files still in the directory.
    var byName: [String: Int64] = [:]
    var batch: [IngestBatch.Entry] = []
    var batchBytes = 0
    var lastFlush: Int64 = 0
    /// The commit under way, if any, what it holds, and the flag it sets when it ends (stored or
    /// failed).
    var inFlight: (task: Task<Void, any Error>, commit: IngestBatch, ended: CommitEnd)?
    /// A commit the store refused: stored again before anything else is read.
    var failedCommit: IngestBatch?
    /// Commits refused so far, the last reason, and when one last succeeded (ms).
    package internal(set) var commitFailures = 0
    package internal(set) var lastCommitError: (any Error)?
    package internal(set) var lastGoodCommit: Int64 = WallClock.nowMillis()
    /// Records parsed since start (committed or queued).
    package internal(set) var collectedRecords = 0
    /// Files let go of (most recent last), which a rotated copy may still continue: the last
    /// thousand or so.
    var retiredStates: [FileState] = []
    /// Every file let go of whose name is still in the directory, by name and inode: a `.gz` copy
    /// read to its end is let go of and stays there until pm2-logrotate deletes it (30 days by
    /// default). Not capped, as `retiredStates` is: with 64 files rotated daily and compressed,
    /// that is 1,900 copies, and those past the cap were read again from 0 at each start.
    /// Names gone from the directory are dropped at each scan.
    var letGo: [LetGoKey: FileState] = [:]
    /// Sizes of rotated copies seen last pass and not adopted yet (maybe still being written).
    var copySizes: [String: Int64] = [:]
    let metrics: TailerMetrics
    /// Errors of the last pass, logged once each.
    var reportedErrors = Set<String>()
    /// Files saved as followed that are not reopened yet (the directory could not be listed at
    /// start); nil once they are.
    var unopened: [FileState]?
    /// `.gz` copies found cut short or damaged, by name, with the size they had: not looked at
    /// again until their size changes.
    var damagedCopySizes: [String: Int64] = [:]
    /// `.gz` copies found cut short or damaged since start (each time counted once).
    package internal(set) var damagedCopies = 0
    /// Names found to be another name of a followed file (a link), each logged once.
    var linkedNames = Set<String>()
    /// Files in the directory that cannot be opened or read (permission denied, an I/O error),
    /// with the error: their lines are not stored. For `/readyz` and `/metrics`; a name leaves
    /// when it is read again or leaves the directory.
    package internal(set) var unreadableFiles: [String: String] = [:]

    package init(
        configuration: TailerConfiguration, store: any LogStore, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.metrics = TailerMetrics(factory: metricsFactory)
        self.parser = RecordParser(options: configuration.parser)
    }

    deinit {
        for file in tracked.values { FileSystem.close(file.fd) }
    }

    /// Loads the saved positions and reopens the files, following renames made while stopped.
    ///
    /// If the directory cannot be listed (missing, replaced by a file, a dangling link), that is an
    /// error, never an empty directory: the saved files are not given up for gone (they would be
    /// read again from 0 once the directory is back). The error is logged and every pass fails
    /// until the listing works; only then are the saved files reopened.
    package func start() async throws {
        FileSystem.raiseOpenFileLimit()
        let saved = try await store.files()
        let retired = saved.filter { $0.status == .retired }
        retiredStates = Array(retired.suffix(1000))
        for state in retired { letGo[LetGoKey(state)] = state }
        unopened = saved.filter { $0.status == .live }
        do {
            try await reopenSaved()
        } catch {
            report(error, file: configuration.directory)
        }
    }

    /// Reopens the files saved as followed, once the directory can be listed.
    func reopenSaved() async throws {
        guard let saved = unopened else { return }
        let names = try listLogFiles()
        var byInode: [FileKey: String] = [:]
        for name in names {
            if let status = FileSystem.status(path(name)), status.isRegular {
                byInode[FileKey(device: status.device, inode: status.inode)] = name
            }
        }
        var retired: [FileState] = []
        for var state in saved {
            let key = FileKey(device: state.device, inode: state.inode)
            // Prefer the saved name; else the name the same inode has now (renamed while stopped).
            let name: String?
            if let status = FileSystem.status(path(state.path)), FileKey(device: status.device, inode: status.inode) == key {
                name = state.path
            } else {
                name = byInode[key]
            }
            guard let name, let fd = try? FileSystem.open(path(name)) else {
                // Gone while stopped: whatever was not read is lost with it. Say so.
                logger.warning("file gone while stopped", metadata: ["file": "\(state.path)", "offset": "\(state.offset)"])
                state.status = .retired
                retired.append(state)
                continue
            }
            let renamed = name != state.path
            if renamed {
                logger.info("file renamed while stopped", metadata: ["from": "\(state.path)", "to": "\(name)"])
            }
            state.path = name
            tracked[state.id] = TrackedFile(state: state, fd: fd, maxRecordBytes: configuration.maxRecordBytes)
            // A new name is saved with the next commit, even if the file never grows again:
            // `stats`, the answers' `file` and the next start must not go by the old one.
            tracked[state.id]!.dirty = renamed
            byName[name] = state.id
        }
        // Reopened: never again, even if saving the files found gone fails (they are still live
        // in the store then, and looked for again at the next start).
        unopened = nil
        if !retired.isEmpty {
            try await store.append(IngestBatch(files: retired, storedAt: WallClock.nowMillis()))
            // A file of the same name that begins with the same bytes continues one of these.
            retiredStates += retired
        }
    }

    /// Files followed now.
    package var followedFiles: Int { tracked.count }

    /// Bytes of followed files not stored yet: each file's size less its committed position (so a
    /// tailer that cannot commit shows its real lag, not what it has read into memory), by the
    /// sizes the last passes saw (a write is seen by the next pass that looks at its file: at once
    /// through inotify, at the latest by the next full pass). It used to look at every file
    /// again, each second: 2,000 idle files cost 2,000 `fstat`s a second for this figure alone.
    package var backlogBytes: Int64 { backlog { $0.lastSize } }

    /// `backlogBytes` by every file's size now: while passes fail (the store refuses commits),
    /// no pass looks at the files, and the backlog they gather must still show.
    package func backlogBytesLookingAgain() -> Int64 {
        backlog { FileSystem.status(fd: $0.fd)?.size ?? $0.lastSize }
    }

    /// Each file's size (`size`; a `.gz` copy's: what was inflated) less its committed position.
    private func backlog(_ size: (TrackedFile) -> Int64) -> Int64 {
        tracked.values.reduce(0) { total, file in
            total + max(0, (file.compressed ? file.state.offset : size(file)) - file.storedOffset)
        }
    }

    /// Rotated copies found but not read yet, because they may still be being written.
    package var hasWaitingCopies: Bool { !copySizes.isEmpty }

    /// Records read but held back, waiting to see whether continuation lines follow.
    package var hasHeldRecords: Bool { tracked.values.contains { $0.assembler.hasPendingRecord } }

    /// The names in `configuration.directory` that the include and exclude patterns select.
    package static func logFiles(_ configuration: TailerConfiguration) throws -> [String] {
        try FileSystem.list(configuration.directory).filter { name in
            configuration.include.contains { FileSystem.matches(name, $0) }
                && !configuration.exclude.contains { FileSystem.matches(name, $0) }
        }.sorted()
    }

    /// One pass: notice new, renamed, deleted, truncated and rotated files, read what is new (a
    /// bounded amount per file), close records that waited long enough, and commit when due.
    /// Returns whether any file still has unread bytes (call again without waiting).
    ///
    /// With `changed` (names of files the watcher saw change), the directory is not listed again
    /// and only those files, and files with something pending (unread bytes, a record waiting for
    /// its continuation, a file that went away), are looked at: idle files cost nothing.
    @discardableResult
    package func poll(now: Int64, changed: Set<String>? = nil) async throws -> Bool {
        try await retryFailedCommit()
        if unopened != nil { try await reopenSaved() }
        let listed = changed == nil ? try await scan(now: now) : [:]
        var more = false
        let ids = tracked.keys.sorted().filter { needsLook($0, changed: changed, listed: listed) }
        for id in ids {
            do {
                if try await advance(id, now: now) { more = true }
                if !unreadableFiles.isEmpty, let name = tracked[id]?.state.path { readable(name) }
            } catch {
                let name = tracked[id]?.state.path ?? "?"
                report(error, file: name)
                // A system call's failure on the file (a read's EIO, say); not a damaged `.gz`
                // copy (counted on its own) nor the store refusing a commit.
                if let error = error as? TailerError, error.detail == nil, error.errno != 0 { unreadableFiles[name] = "\(error)" }
            }
            if let file = tracked[id] { metrics.update(file, size: file.lastSize >= 0 ? file.lastSize : nil) }
            // Memory stays bounded by 1.5 times the flush size, however many files have a backlog.
            if batchIsDue { try await flush(now: now) }
        }
        if batchIsDue || WallClock.elapsed(now, since: lastFlush, atLeast: configuration.flushIntervalMillis) {
            try await flush(now: now)
        }
        return more
    }

    /// When the next commit is due (ms since the epoch), if anything read waits for one: records
    /// queued, records waiting for a time, positions to save. The service's wait for changes
    /// ends then, not a whole poll interval after the pass that read them.
    package var nextFlushDue: Int64? {
        guard !batch.isEmpty || tracked.values.contains(where: { $0.dirty || !$0.untimed.isEmpty }) else { return nil }
        return lastFlush + configuration.flushIntervalMillis
    }

    /// When a record held for its continuation lines is to be closed (its file quiet for
    /// `groupIdleMillis`), if that is still ahead: the service's wait ends then, so that a stack
    /// trace written after a quiet spell is stored a group idle time after its last line, not up
    /// to a poll interval later. A time already past is left out (a pass at it closes the record;
    /// if one did not, a wait of nothing would follow every pass).
    package func nextReleaseDue(now: Int64) -> Int64? {
        var due: Int64?
        for file in tracked.values where file.state.status == .live && file.assembler.hasPendingRecord {
            let at = file.lastData + configuration.groupIdleMillis
            if at > now { due = min(due ?? at, at) }
        }
        return due
    }

    /// Whether a pass must look at a file: one named in `changed`, or (a full pass, `changed`
    /// nil) one whose size or time is not what was last seen; in both, one that holds or owes
    /// something (bytes not read yet, a record waiting for continuation lines, records waiting
    /// for a time, a `.gz` copy being read, gone from the directory).
    ///
    /// A quiet file has nothing for `advance` to do (it would find the same size and time, read
    /// nothing and change nothing), nor for its metrics: a full pass over 2,000 idle files no
    /// longer copies each one's state out and back and updates its metrics.
    /// `listed`: what the full pass's listing found by name (the same file when device and inode
    /// match), so that it is not looked at twice.
    func needsLook(_ id: Int64, changed: Set<String>?, listed: [String: FileSystem.Status] = [:]) -> Bool {
        guard let file = tracked[id] else { return false }
        if file.gone || file.assembler.hasPendingRecord || file.lastSize < 0 || file.lastSize != file.assembler.readOffset {
            return true
        }
        if let changed { return changed.contains(file.state.path) }
        guard file.state.status == .live else { return false }
        if file.compressed || !file.untimed.isEmpty { return true }
        let seen = listed[file.state.path].flatMap { $0.device == file.state.device && $0.inode == file.state.inode ? $0 : nil }
        // A descriptor that cannot be looked at: `advance` reports it.
        guard let status = seen ?? FileSystem.status(fd: file.fd) else { return true }
        return status.size != file.lastSize || status.modified != file.lastModified
    }

    /// The batch has the flush size and the store is free, or 1.5 times the flush size. While
    /// the store is still writing the last batch, reading goes on into this one rather than
    /// waiting for it: on a backlog the tailer waited for the store a quarter of the time, and a
    /// core was idle whenever the store's work was on one thread. (Up to twice the flush size
    /// was 3 % faster again, and 5 MB more at the peak.)
    var batchIsDue: Bool {
        batchBytes >= configuration.flushBytes
            && (inFlight?.ended.hasEnded ?? true || batchBytes >= configuration.flushBytes * 3 / 2)
    }

    func path(_ name: String) -> String {
        configuration.directory.hasSuffix("/") ? configuration.directory + name : configuration.directory + "/" + name
    }

    func listLogFiles() throws -> [String] {
        try Self.logFiles(configuration)
    }

    func report(_ error: any Error, file: String) {
        let text = "\(file): \(error)"
        if reportedErrors.insert(text).inserted {
            logger.error("tailing failed", metadata: ["file": "\(file)", "error": "\(error)"])
        }
    }

    /// A file read (or opened) again: no longer unreadable, and its errors are logged again
    /// should they come back.
    func readable(_ name: String) {
        guard unreadableFiles.removeValue(forKey: name) != nil else { return }
        logger.notice("file readable again", metadata: ["file": "\(name)"])
        reportedErrors = reportedErrors.filter { !$0.hasPrefix(name + ": ") }
    }
}

/// The store refused a commit: nothing more is read until it takes it (see `retryFailedCommit`).
package struct CommitFailure: Error, CustomStringConvertible {
    package var underlying: any Error

    package var description: String { "the store refused a commit: \(underlying)" }
}

struct FileKey: Hashable {
    var device: UInt64
    var inode: UInt64
}

/// A file let go of: its name and inode.
struct LetGoKey: Hashable {
    var path: String
    var file: FileKey

    init(path: String, device: UInt64, inode: UInt64) {
        self.path = path
        file = FileKey(device: device, inode: inode)
    }

    init(_ state: FileState) { self.init(path: state.path, device: state.device, inode: state.inode) }
}

/// Whether a commit handed to the store has ended, read without waiting for it.
final class CommitEnd: Sendable {
    private let flag = Atomic(false)

    var hasEnded: Bool { flag.load(ordering: .acquiring) }

    func end() { flag.store(true, ordering: .releasing) }
}
