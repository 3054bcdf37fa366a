import Logging
import ServiceLifecycle
import Synchronization
import TraceTailCore

/// What the tailer reports about itself, for `/readyz` and `/stats`.
package final class TailerStatus: Sendable {
    private let state = Mutex<(running: Bool, files: Int, lastPass: Int64)>((false, 0, 0))

    package init() {}

    package var isRunning: Bool { state.withLock { $0.running } }
    package var followedFiles: Int { state.withLock { $0.files } }
    package var lastPass: Int64 { state.withLock { $0.lastPass } }

    func update(running: Bool, files: Int, lastPass: Int64) {
        state.withLock { $0 = (running, files, lastPass) }
    }
}

/// Runs the tailer as a service: a pass every poll interval (at once while files have a backlog),
/// a commit at least every flush interval, and a last commit on graceful shutdown.
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
        logger.info("tailing", metadata: ["directory": "\(configuration.directory)", "files": "\(tailer.followedFiles)"])
        let watcher = configuration.useInotify ? DirectoryWatcher(directory: configuration.directory, logger: logger) : nil
        // With inotify, the directory is listed and every file looked at once a while (a fallback
        // for file systems that send no events); in between only what the events name.
        let fullInterval = watcher == nil ? configuration.pollIntervalMillis : max(configuration.pollIntervalMillis, 2_000)
        var lastFull: Int64 = 0
        var changed: Set<String>?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var more = false
            let now = WallClock.nowMillis()
            if now - lastFull >= fullInterval { changed = nil }
            do {
                more = try await tailer.poll(now: now, changed: changed)
                if changed == nil { lastFull = now }
            } catch {
                logger.error("tail pass failed", metadata: ["error": "\(error)"])
            }
            status.update(running: true, files: tailer.followedFiles, lastPass: WallClock.nowMillis())
            changed = []
            if !more {
                let interval = configuration.pollIntervalMillis
                let changes: DirectoryWatcher.Changes? = try? await cancelWhenGracefulShutdown {
                    if let watcher { return await watcher.wait(milliseconds: interval) }
                    try await Task.sleep(for: .milliseconds(interval))
                    return nil
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
            logger.error("last commit failed", metadata: ["error": "\(error)"])
        }
        status.update(running: false, files: 0, lastPass: WallClock.nowMillis())
    }
}
