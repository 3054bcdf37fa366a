import ArgumentParser
import Foundation
import Logging
import TraceTailCore
import TraceTailStore

@main
struct TraceTail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracetail",
        abstract: "Follows a PM2 log directory and finds every log line of a trace.",
        discussion: """
            Settings come from the config file (--config, $TRACETAIL_CONFIG, or Config/tracetail.yaml \
            in the current directory), then TRACETAIL_* environment variables, then flags.
            """,
        subcommands: [
            Serve.self, Ingest.self, TraceCommand.self, WorkflowCommand.self, TaskCommand.self, VerifyCommand.self, LogsCommand.self, TailCommand.self,
            CoverageCommand.self, Stats.self, Prune.self,
            Pg.self, ShowConfig.self,
        ],
        defaultSubcommand: Serve.self
    )

    /// glibc's allocator is tuned (`Platform.tuneAllocator`) before anything else runs, on the
    /// main thread: tuned later, as the commands set up logging, a thread of the Swift runtime's
    /// pool had already allocated and had an arena of its own, and memory was spread over two.
    /// One arena, as intended, costs some speed (threads wait for its lock) and saves memory.
    /// Measured on 2M pino records, builds alternated three times: `tracetail ingest` peak RSS
    /// 61.6-62.3 -> 57.3-57.8 MB, 13.8-14.7 -> 14.4-15.5 CPU-s; `serve` under 64 wrk clients
    /// 1,908 and 1,949 -> 1,781 and 1,867 answers/s. Memory is the target with no room left (the
    /// 100M-record run peaked at 63.2 MB of 64 in stop 25), so one arena.
    static func main() async {
        Platform.tuneAllocator()
        await main(nil)
    }
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (YAML).")
    var config: String?

    @Option(name: .long, help: "PM2 log directory (logs.directory).")
    var logs: String?

    @Option(name: .long, help: "SQLite database file (store.path).")
    var db: String?

    @Option(name: .long, help: "The store to read: a SQLite file, or a fleet store's postgres:// URL (store.path).")
    var store: String?

    @Option(name: .long, help: "Log level of tracetail itself (log.level).")
    var logLevel: String?

    func settings(extra: [String: String] = [:]) async throws -> Settings {
        var overrides = extra
        if let logs { overrides["logs.directory"] = logs }
        if let db { overrides["store.path"] = db }
        if let store { overrides["store.path"] = store }
        if let logLevel { overrides["log.level"] = logLevel }
        do {
            return try await Settings.resolve(configPath: config, overrides: overrides, environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigError {
            // A setting that cannot be used: a runtime error (exit 1) naming the key, no usage text.
            throw CLIError(error.description)
        }
    }
}

enum Bootstrap {
    /// Sets up logging once per process, on standard error.
    static func logging(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
        var logger = Logger(label: "tracetail")
        logger.logLevel = parsed
        return logger
    }

    /// Opens the store for reading (an existing database, no lock, works while the daemon runs)
    /// or for writing (created if needed; refused while another process writes it).
    static func openStore(
        _ settings: Settings, access: SQLiteLogStore.Access, logger: Logger, queries: QueryExecutor? = nil
    ) throws -> SQLiteLogStore {
        do {
            return try SQLiteLogStore(
                path: settings.databasePath, access: access, options: settings.store, logger: logger, queries: queries)
        } catch let error as StoreError where error.code == .missing {
            throw CLIError("no database at \(settings.databasePath) (store.path, --db); run tracetail serve or ingest first")
        } catch {
            throw CLIError("\(error)")
        }
    }
}

