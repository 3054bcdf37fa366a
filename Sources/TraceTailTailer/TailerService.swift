import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import TraceTailCore

/// What the tailer reports about itself, for `/readyz`, `/stats` and the log.
package final class TailerStatus: Sendable {
    package struct Snapshot: Sendable, Equatable {
        /// The service's loop runs.
        package var running = false
        /// The backlog present at start (every byte of every file then, rotated copies included)
        /// has been read and committed: answers are complete as of start.
        package var caughtUp = false
        package var files = 0
        /// Bytes of followed files not read yet.
        package var backlogBytes: Int64 = 0
        /// When the last pass ended (ms since the epoch).
        package var lastPass: Int64 = 0
        /// Why records cannot be stored now (the store refuses commits: a full disk, say), in a
        /// few words for `/readyz`; nil while commits work.
        package var failure: String?
        /// When a commit last succeeded (ms since the epoch).
        package var lastCommit: Int64 = 0
        package var commitFailures = 0
        /// Passes over the files since start (`tracetail_tail_passes_total`).
        package var passes = 0
        /// Files in the directory that cannot be opened or read (their lines are not stored).
        package var unreadableFiles = 0
    }

    private let state = Mutex(Snapshot())

    package init() {}

    /// What `/readyz` says: not ready while the tailer is not running, while the store refuses
    /// records, or until the backlog present at start is stored; with the figures behind it.
    /// Files that cannot be read (`unreadable_files`) are counted, not made a reason: the other
    /// files' answers are whole, and a daemon taken out of service for one file's permissions
    /// would answer none.
    package var readiness: Readiness {
        let now = snapshot
        let backlog = ("backlog_bytes", now.backlogBytes)
        let unreadable = ("unreadable_files", Int64(now.unreadableFiles))
        if !now.running { return Readiness(ready: false, reason: "tailer not running") }
        if let failure = now.failure {
            return Readiness(ready: false, reason: failure, figures: [
                backlog, ("commit_failures", Int64(now.commitFailures)),
                ("seconds_since_last_commit", max(0, WallClock.nowMillis() - now.lastCommit) / 1000), unreadable,
            ])
        }
        if !now.caughtUp { return Readiness(ready: false, reason: "reading the backlog present at start", figures: [backlog, unreadable]) }
        return Readiness(ready: true, figures: [backlog, unreadable])
    }

    package var snapshot: Snapshot { state.withLock { $0 } }
    package var followedFiles: Int { snapshot.files }

    func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}

/// Runs the tailer as a service: a pass every poll interval (at once while files have a backlog),
/// a commit at least every flush interval, and a last commit on graceful shutdown.
///
/// The loop ends on graceful shutdown and on cancellation alike (a failing sibling service cancels
/// the group): it never spins on a store that went away.
package struct TailerService: Service {
    package let configuration: TailerConfiguration
    package let store: any LogStore
    package let logger: Logger
    package let status: TailerStatus

    package init(configuration: TailerConfiguration, store: any LogStore, logger: Logger, status: TailerStatus = TailerStatus()) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.status = status
    }

    package func run() async throws {
        let tailer = DirectoryTailer(configuration: configuration, store: store, logger: logger)
        try await tailer.start()
        var watcher = configuration.useInotify ? DirectoryWatcher(directory: configuration.directory, logger: logger) : nil
        // The directory was removed or moved, and with it the watch: watched again once a
        // directory is back under the name (passes poll meanwhile). The watch stayed on the old
        // directory, and new lines were found by the 2 s full pass only.
        var watchLost = configuration.useInotify && watcher == nil
        // With inotify, the directory is listed and every file looked at once a while (a fallback
        // for file systems that send no events); in between only what the events name.
        var fullInterval: Int64 { watcher == nil ? configuration.pollIntervalMillis : max(configuration.pollIntervalMillis, 2_000) }
        var lastFull: Int64 = 0
        var changed: Set<String>?
        let started = WallClock.nowMillis()
        var catchUp = CatchUp(started: started, recordsBefore: tailer.collectedRecords)
        var trouble = Trouble()
        var backlogClock = Every(millis: 1_000)
        let gauges = HealthGauges()
        status.update { $0.running = true }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var more = false
            let passStarted = ContinuousClock.now
            let now = WallClock.nowMillis()
            if WallClock.elapsed(now, since: lastFull, atLeast: fullInterval) || tailer.hasWaitingCopies { changed = nil }
            if watchLost, changed == nil,
               let again = DirectoryWatcher(directory: configuration.directory, logger: Logger(label: "tracetail.watch", factory: { _ in SwiftLogNoOpLogHandler() }))
            {
                watcher = again
                watchLost = false
                logger.notice("watching the log directory again", metadata: ["directory": "\(configuration.directory)"])
            }
            do {
                more = try await tailer.poll(now: now, changed: changed)
                if changed == nil { lastFull = now }
                if !catchUp.done {
                    // Ready once the backlog present at start is read and stored: a pass that
                    // found nothing left to read and no rotated copy still waiting, then a commit.
                    // Records at the ends of files may be held a moment for continuation lines:
                    // wait for them too, but no longer than two grouping delays (a file written
                    // to without pause could hold one forever).
                    if !more && !tailer.hasWaitingCopies, catchUp.readAt == nil { catchUp.readAt = now }
                    let settled = !tailer.hasHeldRecords || WallClock.elapsed(now, since: catchUp.readAt ?? now, atLeast: 2 * configuration.groupIdleMillis)
                    if !more && !tailer.hasWaitingCopies && settled {
                        try await tailer.commit(now: WallClock.nowMillis())
                        catchUp.done = true
                        logger.notice("caught up: the backlog present at start is stored", metadata: [
                            "files": "\(tailer.followedFiles)", "records": "\(tailer.collectedRecords - catchUp.recordsBefore)",
                            "seconds": "\(Double(WallClock.nowMillis() - started) / 1000)",
                        ])
                    } else if catchUp.shouldReport(now: now) {
                        logger.info("reading the backlog", metadata: [
                            "bytes_left": "\(tailer.backlogBytes)", "records": "\(tailer.collectedRecords - catchUp.recordsBefore)",
                        ])
                    }
                }
                if trouble.recovered() {
                    logger.notice("tailing works again", metadata: ["failed_passes": "\(trouble.failures)"])
                    trouble = Trouble()
                }
            } catch {
                if Task.isCancelled { break }
                // The first failure is logged, then nothing until it changes or recovers; passes
                // back off up to 10 s meanwhile, so a lasting fault costs neither a core nor the log.
                let reason = "\(error)"
                if trouble.failed(reason) {
                    logger.error(error is CommitFailure ? "cannot store records; reading paused until the store takes them" : "tail pass failed", metadata: [
                        "error": "\(reason)", "retry": "with back-off up to 10 s",
                    ])
                }
            }
            let caughtUp = catchUp.done
            let failure = trouble.failures > 0 ? trouble.summary : nil
            let backlog = failure != nil ? tailer.backlogBytesLookingAgain() : backlogClock.due(WallClock.nowMillis()) ? tailer.backlogBytes : nil
            status.update {
                $0.caughtUp = caughtUp
                $0.files = tailer.followedFiles
                if let backlog { $0.backlogBytes = backlog }
                $0.lastPass = WallClock.nowMillis()
                $0.failure = failure
                $0.lastCommit = tailer.lastGoodCommit
                $0.commitFailures = tailer.commitFailures
                $0.passes += 1
                $0.unreadableFiles = tailer.unreadableFiles.count
            }
            gauges.record(
                backlog: backlog, lastCommit: tailer.lastGoodCommit, failures: tailer.commitFailures,
                unreadable: tailer.unreadableFiles.count, now: WallClock.nowMillis())
            changed = []
            if trouble.failures > 0 {
                let backoff = trouble.backoffMillis
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(backoff)) }
                } catch {
                    break
                }
                changed = nil
                continue
            }
            if !more {
                // The next pass comes at the end of a poll interval, or sooner when a commit is
                // due or a held record is to be closed, or as soon as a file changes, but (with
                // inotify) not before the pace allows.
                let wallNow = WallClock.nowMillis()
                let due = [tailer.nextFlushDue, tailer.nextReleaseDue(now: wallNow)].compactMap { $0 }.min()
                let deadline = ContinuousClock.now + .milliseconds(waitMillis(due: due, now: wallNow))
                let changes: DirectoryWatcher.Changes?
                let current = watcher
                do {
                    changes = try await cancelWhenGracefulShutdown {
                        if let watcher = current {
                            // Passes are paced while files are written without pause: the events
                            // of the pause are taken together after it. A pass on every event read
                            // a few KB each time: 72-76 % of a core at 10,000 records/s instead of
                            // 13 %, 125 % at 100,000 instead of 90 % (docs/tailing.md).
                            let paced = min(passStarted + .milliseconds(configuration.minPassIntervalMillis), deadline)
                            if paced > .now { try await Task.sleep(until: paced, clock: .continuous) }
                            let left = ContinuousClock.now.duration(to: deadline) / .milliseconds(1)
                            return await watcher.wait(milliseconds: max(0, Int64(left)))
                        }
                        try await Task.sleep(until: deadline, clock: .continuous)
                        return nil
                    }
                } catch {
                    break  // shutting down, or cancelled
                }
                if let changes, changes.watchLost {
                    watcher = nil
                    watchLost = true
                    logger.notice("the log directory was removed or moved; looking for it every poll interval", metadata: [
                        "directory": "\(configuration.directory)",
                    ])
                }
                if let changes, !changes.structural, !changes.overflow {
                    changed = changes.names
                } else {
                    changed = nil
                }
            }
        }
        // Commit what was read. Records still waiting for continuation lines are not stored:
        // their bytes are after the saved position and are read again on the next start.
        do {
            try await tailer.commit(now: WallClock.nowMillis())
            logger.info("tailer stopped; positions committed")
        } catch {
            logger.error("last commit failed; what it held is read again at the next start", metadata: ["error": "\(error)"])
        }
        status.update { $0.running = false }
    }

    /// How long to wait for changes before the next pass: a poll interval, or less when a commit
    /// or the closing of a held record is due sooner (`due`, ms since the epoch).
    private func waitMillis(due: Int64?, now: Int64) -> Int64 {
        let interval = configuration.pollIntervalMillis
        guard let due else { return interval }
        return min(interval, max(0, due - now))
    }

    /// A fault that lasts across passes: logged once, backed off from, cleared by a good pass.
    private struct Trouble {
        var failures = 0
        var reason = ""

        /// Counts a failed pass; true when it should be logged (the first, or a new reason).
        mutating func failed(_ text: String) -> Bool {
            failures += 1
            defer { reason = text }
            return failures == 1 || text != reason
        }

        /// True once after failures, when a pass went through.
        func recovered() -> Bool { failures > 0 }

        /// 250 ms, doubling to 10 s.
        var backoffMillis: Int64 { min(10_000, 250 << min(failures - 1, 6)) }

        /// A few words for `/readyz` (the whole error goes to the log).
        var summary: String {
            let lower = reason.lowercased()
            if lower.contains("full") || lower.contains("no space") { return "cannot store records: disk full" }
            if lower.contains("refused a commit") { return "cannot store records: the store refuses writes" }
            return "tailing fails"
        }
    }

    /// What says in `/metrics` that the tailer is stuck: bytes not stored yet, seconds since the
    /// last good commit, commits refused.
    private final class HealthGauges {
        let backlog = Gauge(label: "tracetail_backlog_bytes")
        let sinceCommit = Gauge(label: "tracetail_seconds_since_last_commit")
        let failures = Counter(label: "tracetail_commit_failures_total")
        let passes = Counter(label: "tracetail_tail_passes_total")
        let unreadableFiles = Gauge(label: "tracetail_unreadable_files")
        var exportedFailures = 0

        func record(backlog bytes: Int64?, lastCommit: Int64, failures count: Int, unreadable: Int, now: Int64) {
            passes.increment()
            unreadableFiles.record(unreadable)
            if let bytes { backlog.record(bytes) }
            sinceCommit.record(Double(max(0, now - lastCommit)) / 1000)
            if count > exportedFailures { failures.increment(by: count - exportedFailures) }
            exportedFailures = count
        }
    }

    /// A rate limit for work done at most every `millis`.
    private struct Every {
        var millis: Int64
        var last: Int64 = 0

        mutating func due(_ now: Int64) -> Bool {
            guard WallClock.elapsed(now, since: last, atLeast: millis) else { return false }
            last = now
            return true
        }
    }

    /// Progress of reading the backlog present at start.
    private struct CatchUp {
        var started: Int64
        var recordsBefore: Int
        var done = false
        /// When a pass first found the backlog read to its end.
        var readAt: Int64?
        /// When the backlog was last reported (at first, when reading began).
        var lastReport: Int64

        init(started: Int64, recordsBefore: Int) {
            self.started = started
            self.recordsBefore = recordsBefore
            lastReport = started
        }

        /// Every 5 s while it lasts.
        mutating func shouldReport(now: Int64) -> Bool {
            guard WallClock.elapsed(now, since: lastReport, atLeast: 5_000) else { return false }
            lastReport = now
            return true
        }
    }
}
