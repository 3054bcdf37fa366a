import ArgumentParser
import Foundation
import Logging
import TraceTailCore
import TraceTailQuery
import TraceTailStore

/// Times trace lookups in this process: the store's read of a trace's first page and that page's
/// JSON, as `GET /traces/<id>/logs` makes them, without HTTP (and without the handler's second
/// look, made only when a page comes back empty, to tell an unknown id from one the filters
/// emptied: give ids that have records). CPU is the process's (every thread's), so the figure
/// holds on a busy machine better than a time would. Build with `swift build -c release`; compare
/// two commits on the same store and ids.
struct LookupBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookups",
        abstract: "Times trace lookups and their JSON in this process (no HTTP): CPU per lookup on a store.")

    @Option(help: "The SQLite store to read (opened read-only).")
    var db: String

    @Option(help: "A file of trace ids, one per line.")
    var ids: String

    @Option(help: "Passes over the ids per run (after one unmeasured pass).")
    var rounds = 3

    @Option(help: "Runs; the cheapest is reported.")
    var runs = 3

    func run() async throws {
        Platform.tuneAllocator()
        guard let text = try? String(contentsOfFile: ids, encoding: .utf8) else { throw BenchError("cannot read \(ids)") }
        let requested = try text.split(whereSeparator: \.isNewline).map { try RequestedID(kind: .trace, text: String($0)) }
        guard !requested.isEmpty else { throw BenchError("no ids in \(ids)") }
        var logger = Logger(label: "tracetail-bench")
        logger.logLevel = .warning
        let store = try SQLiteLogStore(path: db, access: .read, logger: logger)
        defer { try? store.close() }
        let presenter = RecordPresenter(parser: RecordParser())
        func pass() async throws -> (records: Int, bytes: Int, unreadable: Int) {
            var records = 0
            var bytes = 0
            var unreadable = 0
            for id in requested {
                let page = try await store.records(RecordQuery(key: id.key, limit: LogsRequest.defaultLimit))
                records += page.records.count
                unreadable += page.unreadableBlocks
                bytes += LogsJSON.encode(idField: "trace_id", id: id.canonical, page: page, presenter: presenter).count
            }
            return (records, bytes, unreadable)
        }
        _ = try await pass()
        var best = (cpu: Double.infinity, wall: 0.0)
        var totals = (records: 0, bytes: 0, unreadable: 0)
        for _ in 0..<runs {
            let cpuBefore = Self.processCPU()
            let wallBefore = ContinuousClock.now
            for _ in 0..<rounds { totals = try await pass() }
            let cpu = Self.processCPU() - cpuBefore
            let wall = ContinuousClock.now - wallBefore
            if cpu < best.cpu { best = (cpu, Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18) }
        }
        let lookups = Double(requested.count * rounds)
        print("ids \(requested.count), \(totals.records) records and \(totals.bytes) bytes of JSON per pass")
        if totals.records == 0 { print("no id had records: the figure is of lookups that find nothing") }
        if totals.unreadable > 0 {
            print("\(totals.unreadable) blocks per pass could not be decoded (a store of another build's format?): the figure is of partial lookups")
        }
        print(String(format: "cheapest of %d runs: %.3f ms CPU per lookup (%.3f ms wall)", runs, best.cpu * 1000 / lookups,
                     best.wall * 1000 / lookups))
    }

    /// CPU seconds of the whole process (user and system, every thread) so far.
    private static func processCPU() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
