import Logging
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
    }

    private let state = Mutex(Snapshot())

    package init() {}

    package var snapshot: Snapshot { state.withLock { $0 } }
    package var isRunning: Bool { snapshot.running }
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
        let watcher = configuration.useInotify ? DirectoryWatcher(directory: configuration.directory, logger: logger) : nil
        // With inotify, the directory is listed and every file looked at once a while (a fallback
        // for file systems that send no events); in between only what the events name.
        let fullInterval = watcher == nil ? configuration.pollIntervalMillis : max(configuration.pollIntervalMillis, 2_000)
        var lastFull: Int64 = 0
        var changed: Set<String>?
        let started = WallClock.nowMillis()
        var catchUp = CatchUp(started: started, recordsBefore: tailer.collectedRecords)
        status.update { $0.running = true }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var more = false
            let now = WallClock.nowMillis()
            if now - lastFull >= fullInterval || tailer.hasWaitingCopies { changed = nil }
            do {
                more = try await tailer.poll(now: now, changed: changed)
                if changed == nil { lastFull = now }
                if !catchUp.done {
                    // Ready once the backlog present at start is read and stored: a pass that
                    // found nothing left to read and no rotated copy still waiting, then a commit.
                    if !more && !tailer.hasWaitingCopies {
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
            } catch {
                if Task.isCancelled { break }
                logger.error("tail pass failed", metadata: ["error": "\(error)"])
            }
            let caughtUp = catchUp.done
            status.update {
                $0.caughtUp = caughtUp
                $0.files = tailer.followedFiles
                $0.backlogBytes = tailer.backlogBytes
                $0.lastPass = WallClock.nowMillis()
            }
            changed = []
            if !more {
                let interval = configuration.pollIntervalMillis
                let changes: DirectoryWatcher.Changes?
                do {
                    changes = try await cancelWhenGracefulShutdown {
                        if let watcher { return await watcher.wait(milliseconds: interval) }
                        try await Task.sleep(for: .milliseconds(interval))
                        return nil
                    }
                } catch {
                    break  // shutting down, or cancelled
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

    /// Progress of reading the backlog present at start.
    private struct CatchUp {
        var started: Int64
        var recordsBefore: Int
        var done = false
        var lastReport: Int64 = 0

        /// Every 5 s while it lasts.
        mutating func shouldReport(now: Int64) -> Bool {
            guard now - max(lastReport, started) >= 5_000 else { return false }
            lastReport = now
            return true
        }
    }
}
