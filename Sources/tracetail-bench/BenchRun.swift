import Foundation
import TraceTailCore

/// The phases of the benchmark, each adding its rows to the report.
final class BenchRun {
    let tracetail: String
    let generator: String
    let work: String
    var report: Report

    /// An empty config file: the built-in defaults, whatever Config/ says.
    var emptyConfig: String { work + "/empty.yaml" }

    init(tracetail: String, generator: String, work: String, report: Report) throws {
        try createFile(work + "/empty.yaml")
        self.tracetail = tracetail
        self.generator = generator
        self.work = work
        self.report = report
    }

    /// What the run measures besides the main store's size and speed.
    struct Plan {
        var records: Int
        var lookups: Int
        var freshness: Int
        var pruneRecords: Int
        var orchestratorRecords: Int
        var cpuLookups: Int
        var loadSeconds: Int
        var writerRate: Int
        var scale: Bool
    }

    func all(_ plan: Plan) throws {
        let logs = work + "/logs"
        let manifest = work + "/manifest.json"
        let database = work + "/store.sqlite"
        let main = try sizeAndSpeed(format: "pino", records: plan.records, directory: logs, manifest: manifest, database: database)
        if plan.scale {
            let reference = try sizeAndSpeed(
                format: "pino", records: 1_000_000, directory: work + "/ref", manifest: work + "/ref.json", database: work + "/ref.sqlite",
                rows: false)
            try? FileManager.default.removeItem(atPath: work + "/ref")
            report.add(
                "scale: ingest rate at \(plan.records) records vs at 1M", "\(format(main.rate / 1000, 0))k vs \(format(reference.rate / 1000, 0))k records/s",
                target: "within 20 %", met: main.rate >= reference.rate * 0.8)
        }
        if plan.orchestratorRecords > 0 {
            let directory = work + "/orchestrator"
            _ = try sizeAndSpeed(
                format: "orchestrator", records: plan.orchestratorRecords, directory: directory, manifest: work + "/orchestrator.json",
                database: work + "/orchestrator.sqlite")
            try? FileManager.default.removeItem(atPath: directory)
        }

        let (daemon, startup) = try serve(logs: logs, database: database)
        defer { daemon.stop() }
        report.add("startup of `serve` on the \(plan.records)-record store, to /readyz 200", format(startup, 2) + " s", target: "< 2 s", met: startup < 2)
        try lookup(daemon: daemon, manifest: manifest, count: plan.lookups, files: main.files)
        try lookupCPU(daemon: daemon, manifest: manifest, count: plan.cpuLookups)
        let ids = try traceIDs(manifest)
        if plan.loadSeconds > 0 {
            try closedLoop(daemon: daemon, ids: ids, seconds: plan.loadSeconds, records: plan.records)
            try underWriteLoad(daemon: daemon, logs: logs, ids: ids, seconds: plan.loadSeconds, rate: plan.writerRate)
        }
        let peak = peakRSSKiB(daemon.process.processIdentifier)
        report.add(
            "peak RSS of `serve` through the lookups and load",
            "\(format(Double(peak) / 1024)) MB (private \(format(Double(daemon.peakPrivateKiB) / 1024)) MB; the rest is code and libraries mapped from disk)",
            target: "≤ 64 MB", met: peak <= 64 * 1024)
        daemon.stop()
        try freshnessRun(samples: plan.freshness)
        try idleFiles(count: 2000)
        try following(rate: 10_000, bulkCPUPerRecord: main.cpuPerRecord)
        try prune(records: plan.pruneRecords)
    }

    /// The outcome of generating and ingesting one data set.
    struct Ingested {
        var files: [String]
        var rate: Double
        /// CPU seconds of `tracetail ingest` per record.
        var cpuPerRecord: Double
    }

    /// Generates `records` of a format, ingests them, and holds the store's size and the ingest's
    /// time to `gzip -6` of the same bytes (one core; tracetail may use both).
    func sizeAndSpeed(format name: String, records: Int, directory: String, manifest: String, database: String, rows: Bool = true) throws -> Ingested {
        print("generating \(records) \(name) records ...")
        let generated = try Subprocess.run(generator, ["--out", directory, "--format", name, "--records", "\(records)", "--manifest", manifest])
        guard generated.status == 0 else { throw BenchError("generator failed: \(generated.output)") }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }.sorted().map { directory + "/" + $0 }
        let rawBytes = files.reduce(Int64(0)) { $0 + fileSize($1) }
        print("gzip -6 ...")
        let gzip = try Subprocess.shell("cat \(files.joined(separator: " ")) | gzip -6 | wc -c")
        let gzipBytes = Int64(gzip.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        print("tracetail ingest ...")
        let ingest = try Subprocess.run(tracetail, ["ingest", "--logs", directory, "--db", database], environment: ["TRACETAIL_CONFIG": emptyConfig])
        guard ingest.status == 0 else { throw BenchError("ingest failed: \(ingest.output)") }
        let rate = Double(records) / ingest.seconds
        let ingested = Ingested(files: files, rate: rate, cpuPerRecord: ingest.cpuSeconds / Double(max(records, 1)))
        guard rows else { return ingested }
        report.note("data (\(name)): \(records) records (\(megabytes(rawBytes)), about \(rawBytes / Int64(max(records, 1))) bytes each) in \(files.count) files, random UUID trace ids, 10 to 50 records per trace, 64 traces in flight")
        report.commands.append("tracetail-gen --out DIR --format \(name) --records \(records) --manifest M; cat FILES | gzip -6 | wc -c; tracetail ingest --logs DIR --db DB")
        report.add("\(name): ingest, records/s (`tracetail ingest`, end to end)", format(rate / 1000, 0) + "k", target: "≥ 250k", met: rate >= 250_000)
        let speed = gzip.seconds / ingest.seconds
        report.add(
            "\(name): ingest speed vs `gzip -6` of the same files",
            "\(format(ingest.seconds, 2)) s vs \(format(gzip.seconds, 2)) s = \(format(speed, 2))x gzip's speed "
                + "(CPU \(format(ingest.cpuSeconds, 1)) s, \(format(ingest.cpuSeconds / max(ingest.seconds, 1e-9), 2)) cores busy; gzip's pipeline \(format(gzip.cpuSeconds, 1)) s)",
            target: "≥ 1.3x", met: speed >= 1.3)
        let storeBytes = fileSize(database) + fileSize(database + "-wal")
        let ratio = Double(storeBytes) / Double(max(gzipBytes, 1))
        report.add(
            "\(name): store size (data + index) vs gzip -6", "\(megabytes(storeBytes)) vs \(megabytes(gzipBytes)) = \(format(ratio, 2))x (raw \(megabytes(rawBytes)))",
            target: "≤ 1.0x (stretch 0.8x)", met: ratio <= 1.0)
        report.add(
            "\(name): peak RSS while ingesting \(format(Double(rawBytes) / 1e9, 2)) GB",
            "\(format(Double(ingest.peakRSSKiB) / 1024)) MB (private \(format(Double(ingest.peakPrivateKiB) / 1024)) MB)", target: "≤ 64 MB",
            met: ingest.peakRSSKiB <= 64 * 1024)
        return ingested
    }

    /// Random traces over HTTP, one at a time, against `rg -F` over the raw files.
    func lookup(daemon: Daemon, manifest: String, count: Int, files: [String]) throws {
        print("lookups ...")
        let ids = try traceIDs(manifest).shuffled().prefix(count)
        let client = HTTPClient(port: daemon.port)
        for id in ids.prefix(20) { _ = try client.get("/traces/\(id)/logs") }  // warm the connection and page cache
        var latencies: [Double] = []
        var failures = 0
        for id in ids {
            let started = DispatchTime.now().uptimeNanoseconds
            let (status, body) = try client.get("/traces/\(id)/logs")
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            if status != 200 || body.count < 50 { failures += 1 }
        }
        let p50 = percentile(latencies, 50)
        let p99 = percentile(latencies, 99)
        report.add("lookup `GET /traces/<id>/logs`, \(ids.count) random traces, p50", format(p50, 2) + " ms", target: "≤ 2 ms", met: p50 <= 2)
        report.add("lookup p99", format(p99, 2) + " ms", target: "≤ 10 ms", met: p99 <= 10)
        report.add("lookups that failed", "\(failures)", target: "0", met: failures == 0)
        // Baseline: ripgrep for the same ids over the files (page cache warm after one run).
        var rgTimes: [Double] = []
        for id in ids.prefix(5) {
            let uuid = HexID.uuidString(high: HexID.parse128(Array(id.utf8)[...])!.0, low: HexID.parse128(Array(id.utf8)[...])!.1)
            let command = "rg -F -c -e \(id) -e \(uuid) \(files.joined(separator: " ")) > /dev/null"
            _ = try Subprocess.shell(command)
            rgTimes.append(try Subprocess.shell(command).seconds * 1000)
        }
        let rgMedian = percentile(rgTimes, 50)
        report.commands.append("rg -F -c -e <32-hex id> -e <uuid> FILES")
        report.add("lookup vs `rg -F` (median of 5, warm cache)", "\(format(rgMedian, 0)) ms / \(format(p50, 2)) ms = \(format(rgMedian / p50, 0))x", target: "≥ 100x", met: rgMedian / p50 >= 100)
    }

    /// A record appended to a live file, until the API returns it.
    func freshnessRun(samples: Int) throws {
        print("freshness ...")
        let logs = work + "/live"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let file = logs + "/agent-live-out.log"
        try createFile(file)
        let daemon = try liveDaemon(logs: logs, database: work + "/live.sqlite")
        defer { daemon.stop() }
        let client = HTTPClient(port: daemon.port)
        let handle = FileHandle(forWritingAtPath: file)!
        defer { handle.closeFile() }
        /// Appends a record of a new trace and asks for it every 5 ms: ms until it is found.
        func sample(_ n: Int) throws -> Double {
            let trace = String(format: "%016llx%016llx", UInt64.random(in: 1...UInt64.max), UInt64(n + 1))
            let line = #"{"level":30,"time":\#(Int64(Date().timeIntervalSince1970 * 1000)),"trace_id":"\#(trace)","msg":"fresh \#(n)"}"# + "\n"
            let started = DispatchTime.now().uptimeNanoseconds
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            var found = false
            while !found, DispatchTime.now().uptimeNanoseconds - started < 5_000_000_000 {
                found = (try client.get("/traces/\(trace)/logs")).0 == 200
                if !found { usleep(5_000) }
            }
            return found ? Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6 : 5000
        }
        // Records one after another (each 20 ms after the last was found): most come within a
        // flush interval of the last commit, and wait for it.
        var latencies: [Double] = []
        for n in 0..<samples {
            latencies.append(try sample(n))
            usleep(20_000)
        }
        report.add("freshness: append to API answer, \(samples) records, p50 / p99", "\(format(percentile(latencies, 50), 0)) / \(format(percentile(latencies, 99), 0)) ms", target: "p99 ≤ 1000 ms", met: percentile(latencies, 99) <= 1000)
        // Records after a quiet spell (500 ms): the commit is due at once, so they wait only for
        // the pass that reads them.
        let quiet = max(10, samples / 5)
        var afterQuiet: [Double] = []
        for n in 0..<quiet {
            usleep(500_000)
            afterQuiet.append(try sample(samples + n))
        }
        report.add(
            "freshness of a record after 500 ms of quiet, \(quiet) records, p50 / p99",
            "\(format(percentile(afterQuiet, 50), 0)) / \(format(percentile(afterQuiet, 99), 0)) ms",
            target: "our own: p99 below the flush interval (250 ms)", met: percentile(afterQuiet, 99) < 250)
    }

    /// CPU of the daemon following many files that do not change.
    func idleFiles(count: Int) throws {
        print("\(count) idle files ...")
        let logs = work + "/idle"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        for i in 0..<count {
            let line = #"{"level":30,"time":1782986400000,"msg":"started \#(i)"}"# + "\n"
            try createFile(logs + "/app\(i)-out-\(i).log", contents: Data(line.utf8))
        }
        let daemon = try liveDaemon(logs: logs, database: work + "/idle.sqlite")
        defer { daemon.stop() }
        sleep(3)  // the first pass reads the files
        let used = cpuSeconds(of: daemon, over: 10) / 10 * 100
        report.add("CPU of the daemon following \(count) idle files (10 s)", format(used, 1) + " % of one core", target: "not noticeable (≤ 2 %)", met: used <= 2)
    }

    /// CPU of `serve` while `tracetail-gen --follow` writes `rate` records/s into its directory
    /// (14 files, as PM2 does: a write per line or few lines), against `tracetail ingest`'s CPU a
    /// record in the same run. Each pass over the files has a fixed cost, so what a record costs
    /// when followed depends on how often passes run (`logs.min_pass_interval`, docs/tailing.md).
    func following(rate: Int, bulkCPUPerRecord: Double) throws {
        print("following \(rate) records/s ...")
        let logs = work + "/following"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let daemon = try liveDaemon(logs: logs, database: work + "/following.sqlite")
        defer { daemon.stop() }
        let seconds = 10
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: generator)
        writer.arguments = ["--out", logs, "--format", "pino", "--records", "0", "--follow", "--rate", "\(rate)", "--duration", "\(seconds + 3)", "--seed", "9"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        sleep(2)  // the files exist and are followed
        let used = cpuSeconds(of: daemon, over: seconds)
        writer.waitUntilExit()
        let perRecord = used / Double(rate * seconds)
        report.commands.append("tracetail-gen --out DIR --format pino --records 0 --follow --rate \(rate) (into the directory of tracetail serve on an empty store; its CPU for \(seconds) s)")
        report.add(
            "CPU of the daemon following 14 files written at \(rate) records/s (\(seconds) s)",
            "\(format(used / Double(seconds) * 100, 1)) % of one core: \(format(perRecord * 1e6, 1)) µs a record, "
                + "against \(format(bulkCPUPerRecord * 1e6, 1)) µs for `tracetail ingest` of a backlog above",
            target: "our own: ≤ 2x ingest's CPU a record", met: perRecord <= 2 * bulkCPUPerRecord)
    }

    /// `serve` on `logs` with a store of its own and the built-in settings, on a free port.
    func liveDaemon(logs: String, database: String) throws -> Daemon {
        try Daemon(
            executable: tracetail, arguments: ["serve", "--logs", logs, "--db", database, "--listen", "127.0.0.1:0", "--log-level", "info"],
            environment: ["TRACETAIL_CONFIG": emptyConfig])
    }

    /// CPU seconds `daemon` uses in the next `seconds` (it sleeps meanwhile).
    func cpuSeconds(of daemon: Daemon, over seconds: Int) -> Double {
        let pid = daemon.process.processIdentifier
        let before = cpuTicks(pid)
        sleep(UInt32(seconds))
        return Double(cpuTicks(pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// utime + stime of a process, in clock ticks.
    func cpuTicks(_ pid: Int32) -> Int {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        guard fields.count > 13 else { return 0 }
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    /// Seven days of records; drop the oldest day while queries run.
    /// Size retention on a week of records: the store is cut back by a seventh, oldest stored
    /// first. Partitions are days of storing, and a store ingested in one go is one day, so the
    /// cut deletes blocks rather than dropping a day. One process writes a store: the daemon
    /// prunes on its own schedule and refuses an outside `prune`, so the prune runs with the
    /// daemon stopped, and the queries are measured against the daemon right after it.
    func prune(records: Int) throws {
        print("prune ...")
        let logs = work + "/week"
        let database = work + "/week.sqlite"
        let manifest = work + "/week.json"
        let generated = try Subprocess.run(generator, [
            "--out", logs, "--format", "pino", "--records", "\(records)", "--days", "7", "--manifest", manifest,
        ])
        guard generated.status == 0 else { throw BenchError("generator failed: \(generated.output)") }
        let ingest = try Subprocess.run(tracetail, ["ingest", "--logs", logs, "--db", database], environment: ["TRACETAIL_CONFIG": emptyConfig])
        guard ingest.status == 0 else { throw BenchError("ingest failed: \(ingest.output)") }
        let before = try Subprocess.run(tracetail, ["stats", "--db", database], environment: ["TRACETAIL_CONFIG": emptyConfig])
        guard let storedLine = before.output.split(separator: "\n").first(where: { $0.hasPrefix("stored bytes:") }),
              let stored = Int64(storedLine.split(separator: " ")[2])
        else { throw BenchError("no stored bytes in: \(before.output)") }
        let budget = stored * 6 / 7
        let prune = try Subprocess.run(
            tracetail, ["prune", "--db", database, "--max-age", "0", "--max-bytes", "\(budget)"],
            environment: ["TRACETAIL_CONFIG": emptyConfig])
        guard prune.status == 0 else { throw BenchError("prune failed: \(prune.output)") }
        report.commands.append("tracetail-gen --out DIR --format pino --records \(records) --days 7; tracetail ingest; tracetail prune --db DB --max-age 0 --max-bytes <6/7 of the stored bytes>")
        let dropped = (prune.output.split(separator: "\n").first.map(String.init) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        report.add("prune: cut a week of records (\(records)) back by a seventh, oldest stored first", "\(format(prune.seconds * 1000, 0)) ms (process, including start-up): \(dropped)", target: "< 1 s", met: prune.seconds < 1)
        // The queries right after, against the daemon on the pruned store.
        let ids = try traceIDs(manifest)
        let daemon = try Daemon(
            executable: tracetail, arguments: ["serve", "--logs", logs, "--db", database, "--listen", "127.0.0.1:0", "--log-level", "info"],
            environment: ["TRACETAIL_CONFIG": emptyConfig, "TRACETAIL_RETENTION_MAX_AGE": "0", "TRACETAIL_RETENTION_MAX_BYTES": "0"])
        defer { daemon.stop() }
        let client = HTTPClient(port: daemon.port)
        var worst = 0.0
        for id in ids.shuffled().prefix(200) {
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try? client.get("/traces/\(id)/logs")
            worst = max(worst, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        report.add("longest of 200 queries on the pruned store", format(worst, 1) + " ms", target: "≤ 100 ms", met: worst <= 100)
    }

    func traceIDs(_ manifest: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: manifest))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let traces = json?["traces"] as? [[String: Any]] ?? []
        return traces.compactMap { $0["trace_id"] as? String }
    }

    func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// A value shared with the query thread.
final class Atomic<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }

    func update(_ change: (Value) -> Value) {
        lock.lock()
        stored = change(stored)
        lock.unlock()
    }
}
