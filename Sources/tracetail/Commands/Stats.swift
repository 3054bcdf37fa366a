import ArgumentParser
import Foundation
import TraceTailCore

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Shows what the store holds, and each file's position and counters.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Also check the database: SQLite's integrity check, every block decodes, totals add up.")
    var check = false

    func run() async throws {
        let settings = try common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        let store = try Bootstrap.openStore(settings, logger: logger)
        let stats = try await store.statistics()
        let files = try await store.files()
        let problems = check ? try await store.check() : []
        try store.close()

        print("store:        \(settings.databasePath)")
        print("records:      \(stats.records)")
        print("raw bytes:    \(stats.rawBytes)")
        print("stored bytes: \(stats.storedBytes) in \(stats.blocks) blocks (\(String(format: "%.2f", stats.storedBytes > 0 ? Double(stats.rawBytes) / Double(stats.storedBytes) : 0))x)")
        print("file on disk: \(stats.fileBytes) bytes")
        print("time range:   \(stats.oldestTime.map(Timestamp.rfc3339) ?? "-") .. \(stats.newestTime.map(Timestamp.rfc3339) ?? "-")")
        print("partitions:   \(stats.partitions)")
        print("files:        \(stats.files)")
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
        let settings = try common.settings(extra: extra)
        let logger = Bootstrap.logging(level: settings.logLevel)
        let store = try Bootstrap.openStore(settings, logger: logger)
        var now = Int64(Date().timeIntervalSince1970 * 1000)
        if let asOf {
            guard let time = Timestamp.parse(asOf) else { throw ValidationError("--as-of: '\(asOf)' is not an RFC 3339 time") }
            now = time
        }
        let started = ContinuousClock.now
        let report = try await store.prune(settings.retention, now: now)
        let elapsed = ContinuousClock.now - started
        try store.close()
        print("pruned \(report.recordsDeleted) records: \(report.partitionsDropped) partitions dropped, \(report.blocksDeleted) blocks deleted, \(report.bytesFreed) bytes given back, in \(elapsed)")
    }
}

struct ShowConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Lists every setting with its default and its environment variable.")

    func run() async throws {
        for entry in Settings.keys {
            let env = "TRACETAIL_" + entry.key.uppercased().replacingOccurrences(of: ".", with: "_")
            print("\(entry.key) (\(env)), default \(entry.defaultValue.isEmpty ? "none" : entry.defaultValue): \(entry.help)")
        }
    }
}
