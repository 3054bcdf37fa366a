import ArgumentParser
import TraceTailAppDatabase
import Foundation
import Logging
import TraceTailCore
import TraceTailPostgres

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Shows what the store holds, and each file's position and counters.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Also check the database: SQLite's integrity check, every block decodes, totals add up.")
    var check = false

    func run() async throws {
        let settings = try await common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        if settings.fleetStoreURL != nil {
            guard !check else { throw CLIError("--check checks a SQLite store; a fleet store is checked by PostgreSQL") }
            return try await fleet(settings, logger: logger)
        }
        let store = try Bootstrap.openStore(settings, access: .read, logger: logger)
        let stats = try await store.statistics()
        let files = try await store.files()
        let problems = check ? try await store.check() : []
        let backlog = try await store.shippingBacklog()
        try store.close()

        print("store:        \(settings.databasePath)")
        print("records:      \(stats.records)")
        print("raw bytes:    \(stats.rawBytes)")
        print("stored bytes: \(stats.storedBytes) in \(stats.blocks) blocks (\(String(format: "%.2f", stats.storedBytes > 0 ? Double(stats.rawBytes) / Double(stats.storedBytes) : 0))x)")
        print("file on disk: \(stats.fileBytes) bytes")
        print("time range:   \(stats.oldestTime.map(Timestamp.rfc3339) ?? "-") .. \(stats.newestTime.map(Timestamp.rfc3339) ?? "-")")
        print("partitions:   \(stats.partitions)")
        print("files:        \(stats.files)")
        print("not shipped:  \(backlog.records) records in \(backlog.blocks) blocks (\(backlog.bytes) bytes) not acknowledged by a fleet store\(backlog.oldestStoredAt.map { ", oldest stored " + Timestamp.rfc3339($0) } ?? "")")
        for file in files {
            let c = file.counters
            print("  \(file.path) [\(file.status.rawValue)] offset \(file.offset), \(c.records) records, \(c.bytesRead) bytes read, \(c.truncations) truncations, \(c.rotations) rotations, \(c.bytesSkipped) bytes skipped, \(c.linesTruncated) lines truncated")
        }
        if check {
            print(problems.isEmpty ? "check:        ok" : "check:        \(problems.count) problems")
            for problem in problems { print("  \(problem)") }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }
}

extension Stats {
    /// The fleet store's totals and each host's shipping.
    private func fleet(_ settings: Settings, logger: Logger) async throws {
        guard case .fleet(let store) = try await OpenedStore.open(settings, logger: logger) else { return }
        defer { store.close() }
        let stats = try await store.statistics()
        let hosts = try await store.hosts()
        print("store:        \(FleetDatabase.redacted(settings.databasePath))")
        print("records:      \(stats.records)")
        print("raw bytes:    \(stats.rawBytes)")
        print("stored bytes: \(stats.storedBytes) in \(stats.blocks) blocks")
        print("tables:       \(stats.fileBytes) bytes (with indexes and TOAST)")
        print("time range:   \(stats.oldestTime.map(Timestamp.rfc3339) ?? "-") .. \(stats.newestTime.map(Timestamp.rfc3339) ?? "-")")
        print("days:         \(stats.partitions)")
        print("files:        \(stats.files)")
        print("hosts:        \(hosts.count)")
        for host in hosts {
            print("  \(host.name): \(host.records) records in \(host.blocks) block writes, \(host.bytes) bytes, last shipped \(host.lastShippedAt.map(Timestamp.rfc3339) ?? "never")")
        }
    }
}

struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deletes data older or larger than the retention settings allow, now.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Override retention.max_age (e.g. 7d, 12h; 0 keeps all).")
    var maxAge: String?

    @Option(help: "Override retention.max_bytes (e.g. 2GiB; 0 sets no bound).")
    var maxBytes: String?

    @Option(help: "Prune as if it were this time (RFC 3339): to try a policy ahead of time.")
    var asOf: String?

    func run() async throws {
        var extra: [String: String] = [:]
        if let maxAge { extra["retention.max_age"] = maxAge }
        if let maxBytes { extra["retention.max_bytes"] = maxBytes }
        let settings = try await common.settings(extra: extra)
        let logger = Bootstrap.logging(level: settings.logLevel)
        var now = Int64(Date().timeIntervalSince1970 * 1000)
        if let asOf {
            guard let time = Timestamp.parse(asOf) else { throw ValidationError("--as-of: '\(asOf)' is not an RFC 3339 time") }
            now = time
        }
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            throw CLIError("no database at \(settings.databasePath) (store.path, --db): nothing to prune")
        }
        let store = try Bootstrap.openStore(settings, access: .write, logger: logger)
        let started = ContinuousClock.now
        let report = try await store.prune(settings.retention, now: now)
        let elapsed = ContinuousClock.now - started
        let left = try await store.statistics()
        try store.close()
        print("pruned \(report.recordsDeleted) records: \(report.partitionsDropped) partitions dropped, \(report.blocksDeleted) blocks deleted, \(report.bytesFreed) bytes given back, in \(elapsed)")
        // What was kept, and which rule kept it: a prune that deletes nothing must say why.
        print("kept \(left.records) records, \(left.fileBytes) bytes on disk")
        if let maxAge = settings.retention.maxAge {
            print("  max age \(Settings.describe(millis: maxAge)): a record goes once both its own time and the time it was stored are before \(Timestamp.rfc3339(now - maxAge))")
            if let oldest = left.oldestTime, oldest < now - maxAge {
                print("  the oldest record (\(Timestamp.rfc3339(oldest))) is older than that, but was stored since: kept until it has been stored for \(Settings.describe(millis: maxAge))")
            }
        } else {
            print("  no max age (retention.max_age is 0)")
        }
        if let maxBytes = settings.retention.maxBytes {
            print("  max bytes \(maxBytes): the store is \(left.fileBytes <= maxBytes ? "within it" : "still above it (the records left are the newest)")")
        } else {
            print("  no size bound (retention.max_bytes is 0)")
        }
    }
}

struct ShowConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Lists every setting: its effective value, where that came from, its environment variable and meaning.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        print("config file: \(settings.configFile ?? "none")")
        for entry in Settings.keys {
            let (value, source) = settings.sources[entry.key] ?? (entry.defaultValue, .builtIn)
            var shown = entry.key == "http.token" && !value.isEmpty ? "(set)" : (value.isEmpty ? "none" : value)
            // Every setting that may hold a connection's password (ship.url, correlate.url, a
            // store on PostgreSQL).
            if entry.key != "http.token", !value.isEmpty { shown = Redaction.masked(value) }
            let fallback = source == .builtIn ? "" : ", default \(entry.defaultValue.isEmpty ? "none" : entry.defaultValue)"
            print("\(entry.key) = \(shown)  [\(source.rawValue)\(fallback); \(Settings.environmentName(entry.key))] \(entry.help)")
        }
    }
}
