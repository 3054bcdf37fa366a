import ArgumentParser
import TraceTailSamples

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT/SIGTERM in live mode; checked between records.
nonisolated(unsafe) var interrupted: sig_atomic_t = 0

@main
struct TraceTailGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracetail-gen",
        abstract: "Writes a realistic PM2 log directory (and its ground-truth manifest), or appends to one live.",
        discussion: """
            Apps: an orchestrator, agent workers and a cluster app `api` with one file per process \
            (`api-out-5.log`). Every workflow is one trace across them. The same options and seed \
            always give the same bytes.
            """)

    @Option(name: .long, help: "Directory to write the log files into (created if missing).")
    var out: String

    @Option(name: .long, help: "Records to write (a multi-line record counts once). Default 2500; 0 with --follow.")
    var records: Int?

    @Option(name: .long, help: "Workflows (traces) written concurrently.")
    var tracesInFlight = 64

    @Option(name: .long, help: "Agent workers besides the orchestrator (1-24).")
    var agents = 4

    @Option(name: .long, help: "Processes of the cluster app `api`.")
    var apiInstances = 2

    @Option(name: .long, help: "mixed: every app in its own style (pino, pino-pretty, util.inspect, logfmt, PM2 --time, stack traces); pino: pure pino JSON lines of about 280 bytes, for benchmarks; pretty, logfmt, pino-time: every app in that one style.")
    var format: String = "mixed"

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Time of the first record, UTC: 2026-07-02, 2026-07-02T10:00:00 or ...T10:00:00.000Z. Default 2026-07-02T10:00:00Z.")
    var start: String?

    @Option(name: .long, help: "Spread the records over this many days (for prune tests); default: 20 ms apart on average.")
    var days: Double?

    @Option(name: .long, help: "Share of records without trace context (0-1).")
    var untraced = 0.04

    @Flag(name: .long, help: "Also write orchestrator-out__<date>.log, the pm2-logrotate copy holding the first third of that file's records.")
    var rotatedCopy = false

    @Option(name: .long, help: "Write the ground-truth manifest (JSON) to this path; keep it outside the log directory.")
    var manifest: String?

    @Flag(name: .long, help: "Then append records live (times are the wall clock) until interrupted or --duration.")
    var follow = false

    @Option(name: .long, help: "Live mode: records per second across all files.")
    var rate = 200.0

    @Option(name: .long, help: "Live mode: stop after this many seconds.")
    var duration: Double?

    func validate() throws {
        guard SampleFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of \(SampleFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let start, CivilTime.parse(start) == nil { throw ValidationError("--start: cannot read '\(start)' as a UTC date or time") }
        if let days, !(days > 0) { throw ValidationError("--days must be more than 0") }
        if follow && !(rate > 0) { throw ValidationError("--rate must be more than 0") }
        if let records, records < 0 { throw ValidationError("--records must be 0 or more") }
    }

    func run() throws {
        var options = SampleOptions(
            records: records ?? (follow ? 0 : 2500), tracesInFlight: tracesInFlight, agents: agents,
            apiInstances: apiInstances, format: SampleFormat(rawValue: format)!, seed: seed,
            start: start.flatMap(CivilTime.parse) ?? SampleOptions.defaultStart, untracedShare: untraced,
            rotatedCopy: rotatedCopy)
        if let days { options.spread(days: days) }

        var generator = try SampleGenerator(options: options)
        let writer = try SampleDirectoryWriter(directory: out, files: generator.layout.files, append: follow && (records ?? 0) == 0)
        let began = monotonicSeconds()
        let written = try writer.write(from: &generator)
        try writer.flushAll()
        let elapsed = monotonicSeconds() - began
        if written > 0 || !follow {
            report(generator.manifest(), written: written, bytes: writer.bytesWritten, elapsed: elapsed)
        }

        if follow {
            try followLive(&generator, writer: writer)
        }
        try writer.close()
        if let manifest {
            try generator.writeManifest(to: manifest)
            print("manifest: \(manifest)")
        }
    }

    /// Appends records at `rate` per second with wall-clock times, written through before each pause.
    private func followLive(_ generator: inout SampleGenerator, writer: SampleDirectoryWriter) throws {
        signal(SIGINT) { _ in interrupted = 1 }
        signal(SIGTERM) { _ in interrupted = 1 }
        var live = generator
        // Live records have no budget: continue the same workflows with an unlimited copy.
        live.removeRecordLimit()
        print("following: appending \(rate) records/s to \(out)\(duration.map { " for \($0) s" } ?? " until interrupted")")
        let began = monotonicSeconds()
        var count = 0
        while interrupted == 0 {
            let elapsed = monotonicSeconds() - began
            if let duration, elapsed >= duration { break }
            let due = Int(elapsed * rate) + 1
            if count >= due {
                // Records reach the files before each pause, not one write each: a bench writer at
                // 100,000 records/s would otherwise spend a core on system calls.
                try writer.flushAll()
                let wait = (Double(count) / rate) - elapsed
                usleep(useconds_t(max(1000, min(wait, 0.1) * 1_000_000)))
                continue
            }
            guard let record = live.next(at: wallClockMilliseconds()) else { break }
            try writer.append(record.bytes, toFile: record.info.file, flush: false)
            count += 1
        }
        generator = live
        let elapsed = monotonicSeconds() - began
        print("appended \(count) records in \(formatted(elapsed, 1)) s (\(formatted(Double(count) / max(elapsed, 0.001), 1)) records/s)")
    }

    private func report(_ manifest: SampleManifest, written: Int, bytes: Int64, elapsed: Double) {
        print("wrote \(manifest.totals.files) files in \(out)")
        for file in manifest.files {
            let padded = file.name.padding(to: 44)
            print("  \(padded) \(String(file.records).leftPadded(to: 9)) records \(String(file.bytes).leftPadded(to: 12)) bytes")
        }
        let megabytes = Double(bytes) / 1_048_576
        print("records: \(written) (\(manifest.totals.tracedRecords) traced, \(manifest.totals.untracedRecords) without trace context)")
        print("traces: \(manifest.totals.traces)")
        print("shapes: " + manifest.shapes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        print("time: \(isoTime(manifest.startTime)) .. \(isoTime(manifest.endTime))")
        print("bytes: \(bytes) (\(formatted(megabytes, 1)) MiB) in \(formatted(elapsed, 2)) s: \(formatted(megabytes / max(elapsed, 0.000_001), 1)) MiB/s, \(formatted(Double(written) / max(elapsed, 0.000_001) / 1000, 0))k records/s")
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func wallClockMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

func isoTime(_ ms: Int64) -> String {
    let c = CivilTime(epochMilliseconds: ms)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let milli = c.millisecond < 10 ? "00\(c.millisecond)" : c.millisecond < 100 ? "0\(c.millisecond)" : "\(c.millisecond)"
    return "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second)).\(milli)Z"
}

func formatted(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if decimals == 0 { return String(Int(rounded)) }
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    }
    return text
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
