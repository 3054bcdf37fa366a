import ArgumentParser
import Foundation
import TraceTailTailer

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reads every file of the log directory from where the last run stopped to its end, stores it, and exits.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        guard FileManager.default.fileExists(atPath: settings.logsDirectory) else {
            throw CLIError("log directory \(settings.logsDirectory) does not exist (logs.directory, --logs)")
        }
        let store = try Bootstrap.openStore(settings, access: .write, logger: logger)
        let started = ContinuousClock.now
        let tailer = DirectoryTailer(configuration: settings.tailer, store: store, logger: logger)
        try await tailer.start()
        let records = try await tailer.drain(now: WallClock.nowMillis)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let stats = try await store.statistics()
        try store.close()
        print("ingested \(records) records from \(tailer.followedFiles) files in \(String(format: "%.2f", seconds)) s (\(Int(Double(records) / max(seconds, 1e-9))) records/s)")
        print("store \(settings.databasePath): \(stats.records) records, \(stats.rawBytes) raw bytes in \(stats.storedBytes) stored (\(String(format: "%.1f", stats.storedBytes > 0 ? Double(stats.rawBytes) / Double(stats.storedBytes) : 0))x)")
    }
}
