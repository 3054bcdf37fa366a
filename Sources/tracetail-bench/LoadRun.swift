import Foundation

/// The figures of issue 13: lookup CPU per request, 64 closed-loop clients (wrk), and the same
/// clients while a writer appends at a fixed rate. All run against one daemon on the main store.
extension BenchRun {
    /// A manifest trace: its id, record count and how many files it spans.
    struct TraceShape {
        var id: String
        var records: Int
        var files: Int
    }

    func traceShapes(_ manifest: String) throws -> [TraceShape] {
        let data = try Data(contentsOf: URL(fileURLWithPath: manifest))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let traces = json?["traces"] as? [[String: Any]] ?? []
        return traces.compactMap { trace in
            guard let id = trace["trace_id"] as? String, let records = trace["records"] as? Int else { return nil }
            return TraceShape(id: id, records: records, files: (trace["files"] as? [String])?.count ?? 0)
        }
    }

    func serve(logs: String, database: String) throws -> (daemon: Daemon, startup: Double) {
        let started = DispatchTime.now().uptimeNanoseconds
        let daemon = try Daemon(
            executable: tracetail, arguments: ["serve", "--logs", logs, "--db", database, "--listen", "127.0.0.1:0", "--log-level", "info"],
            environment: ["TRACETAIL_CONFIG": emptyConfig, "TRACETAIL_RETENTION_MAX_AGE": "0", "TRACETAIL_RETENTION_MAX_BYTES": "0"])
        let client = HTTPClient(port: daemon.port)
        while (try? client.get("/readyz"))?.0 != 200 { usleep(10_000) }
        return (daemon, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// The daemon's CPU time over `count` sequential lookups of 25-record traces spread over 9
    /// files (the closest shape the data has), divided by `count`. Each trace is asked for once
    /// before, so the figure is the daemon's work, not the page cache's.
    func lookupCPU(daemon: Daemon, manifest: String, count: Int) throws {
        print("lookup CPU ...")
        let shapes = try traceShapes(manifest)
        let chosen = shapes.sorted { (abs($0.records - 25) * 4 + abs($0.files - 9), $0.id) < (abs($1.records - 25) * 4 + abs($1.files - 9), $1.id) }
            .prefix(count)
        guard let worst = chosen.last else { throw BenchError("no traces in \(manifest)") }
        let client = HTTPClient(port: daemon.port)
        for trace in chosen { _ = try client.get("/traces/\(trace.id)/logs") }
        let pid = daemon.process.processIdentifier
        let before = cpuTicks(pid)
        let started = DispatchTime.now().uptimeNanoseconds
        var failures = 0
        for trace in chosen {
            let (status, _) = try client.get("/traces/\(trace.id)/logs")
            if status != 200 { failures += 1 }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let cpu = Double(cpuTicks(pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
        let perLookup = cpu / Double(chosen.count) * 1000
        let shape = chosen.first.map { "\($0.records) records in \($0.files) files" } ?? ""
        report.commands.append("GET /traces/<id>/logs × \(chosen.count), daemon CPU from /proc/<pid>/stat (utime + stime) ÷ \(chosen.count)")
        report.add(
            "lookup CPU per request (\(chosen.count) traces, from \(shape) to \(worst.records) records in \(worst.files) files; \(failures) failed)",
            "\(format(perLookup, 3)) ms CPU (\(format(wall / Double(chosen.count) * 1000, 2)) ms wall)", target: "≤ 0.3 ms (was about 1.4 ms)",
            met: perLookup <= 0.3 && failures == 0)
    }

    /// The outcome of one wrk run.
    struct WrkResult {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var errors: Int
        var requests: Int
    }

    /// 64 closed-loop connections (two wrk threads), each asking for random traces of the list.
    func wrk(port: Int, ids: [String], seconds: Int) throws -> WrkResult {
        let list = work + "/wrk-ids.txt"
        let script = work + "/wrk-traces.lua"
        try ids.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        try """
            -- Each request asks for a random trace of the list.
            local ids = {}
            for line in io.lines("\(list)") do ids[#ids + 1] = line end
            math.randomseed(os.time())
            request = function()
              return wrk.format("GET", "/traces/" .. ids[math.random(#ids)] .. "/logs")
            end
            done = function(summary, latency, requests)
              io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.errors.connect,
                summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
                summary.duration))
              io.write(string.format("LATENCY %d %d\\n", latency:percentile(50), latency:percentile(99)))
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let outcome = try Subprocess.shell("wrk -t2 -c64 -d\(seconds)s --timeout 5s -s \(script) http://127.0.0.1:\(port)")
        let lines = outcome.output.split(separator: "\n")
        guard let result = lines.first(where: { $0.hasPrefix("RESULT") })?.split(separator: " ").dropFirst().compactMap({ Int($0) }),
              let latency = lines.first(where: { $0.hasPrefix("LATENCY") })?.split(separator: " ").dropFirst().compactMap({ Double($0) }),
              result.count == 7, latency.count == 2
        else { throw BenchError("wrk said: \(outcome.output)") }
        return WrkResult(
            requestsPerSecond: Double(result[0]) / (Double(result[6]) / 1e6), p50: latency[0] / 1000, p99: latency[1] / 1000,
            errors: result[1...5].reduce(0, +), requests: result[0])
    }

    /// 64 wrk clients alone.
    func closedLoop(daemon: Daemon, ids: [String], seconds: Int, records: Int) throws {
        print("wrk, 64 clients, \(seconds) s ...")
        let result = try wrk(port: daemon.port, ids: ids, seconds: seconds)
        report.commands.append("wrk -t2 -c64 -d\(seconds)s --timeout 5s -s wrk-traces.lua (random trace of the manifest per request)")
        report.add(
            "64 closed-loop clients (wrk) on the \(records)-record store: answers/s", format(result.requestsPerSecond, 0) + "/s",
            target: "≥ 2,500/s (was 484/s on 3.9M)", met: result.requestsPerSecond >= 2500)
        report.add("… their p50 / p99", "\(format(result.p50, 1)) / \(format(result.p99, 1)) ms", target: "p99 ≤ 50 ms (was 189 ms)", met: result.p99 <= 50)
        report.add("… errors (connect, read, write, non-2xx, timeout) of \(result.requests)", "\(result.errors)", target: "0", met: result.errors == 0)
    }

    /// The same 64 clients while `tracetail-gen --follow` appends `rate` records/s to the served
    /// directory. A probe file gets a record of a new trace every 250 ms; its freshness is the time
    /// until the API answers it. The backlog is the daemon's own lag (sum of
    /// `tracetail_file_lag_bytes`), sampled every second.
    func underWriteLoad(daemon: Daemon, logs: String, ids: [String], seconds: Int, rate: Int) throws {
        print("wrk, 64 clients, with a writer at \(rate) records/s, \(seconds) s ...")
        let client = HTTPClient(port: daemon.port)
        let committedBefore = Self.metric(client, "tracetail_committed_records_total")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: generator)
        writer.arguments = [
            "--out", logs, "--format", "pino", "--records", "0", "--follow", "--rate", "\(rate)", "--duration", "\(seconds + 4)",
            "--seed", "7",
        ]
        let writerOutput = Pipe()
        writer.standardOutput = writerOutput
        try writer.run()
        let stop = Atomic(false)
        let freshness = Atomic<[Double]>([])
        let backlog = Atomic<[Double]>([])
        let probeFile = logs + "/probe-out.log"
        guard FileManager.default.createFile(atPath: probeFile, contents: nil) else { throw BenchError("cannot create \(probeFile)") }
        let probe = Thread { [port = daemon.port] in
            let client = HTTPClient(port: port)
            let handle = FileHandle(forWritingAtPath: probeFile)!
            var n = 0
            var lastBacklog = DispatchTime.now().uptimeNanoseconds
            while !stop.value {
                n += 1
                let trace = String(format: "%016llx%016llx", UInt64.random(in: 1...UInt64.max), UInt64(n))
                let line = #"{"level":30,"time":\#(Int64(Date().timeIntervalSince1970 * 1000)),"trace_id":"\#(trace)","msg":"probe \#(n)"}"# + "\n"
                let started = DispatchTime.now().uptimeNanoseconds
                handle.seekToEndOfFile()
                handle.write(Data(line.utf8))
                var found = false
                while !found, !stop.value, DispatchTime.now().uptimeNanoseconds - started < 10_000_000_000 {
                    found = (try? client.get("/traces/\(trace)/logs"))?.0 == 200
                    if !found { usleep(20_000) }
                    if DispatchTime.now().uptimeNanoseconds - lastBacklog > 1_000_000_000 {
                        lastBacklog = DispatchTime.now().uptimeNanoseconds
                        let lag = Self.metric(client, "tracetail_file_lag_bytes")
                        backlog.update { $0 + [lag] }
                    }
                }
                if found || !stop.value {
                    let elapsed = found ? Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6 : 10_000
                    freshness.update { $0 + [elapsed] }
                }
                usleep(250_000)
            }
            handle.closeFile()
        }
        probe.start()
        sleep(2)  // the writer gets going before the clients start
        let result = try wrk(port: daemon.port, ids: ids, seconds: seconds)
        stop.value = true
        writer.waitUntilExit()
        let said = String(decoding: writerOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        while probe.isExecuting { usleep(10_000) }
        let appended = said.split(separator: "\n").first { $0.hasPrefix("appended") }.map(String.init) ?? "writer said: \(said)"
        // "appended N records in ..."; the probe's records come on top in the committed count.
        let appendedCount = appended.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        // Let the daemon read and commit what was written, then count what it committed: the lag
        // reaches 0 once everything is read, while the last commits may still be written.
        var drained = 0.0
        var committed = 0.0
        let drainStart = DispatchTime.now().uptimeNanoseconds
        repeat {
            committed = Self.metric(client, "tracetail_committed_records_total") - committedBefore
            if Self.metric(client, "tracetail_file_lag_bytes") == 0, committed >= appendedCount { break }
            usleep(100_000)
            drained = Double(DispatchTime.now().uptimeNanoseconds - drainStart) / 1e9
        } while drained < 60
        let samples = freshness.value
        let lags = backlog.value
        let half = lags.count / 2
        let firstHalf = lags.prefix(half).reduce(0, +) / Double(max(half, 1))
        let secondHalf = lags.suffix(lags.count - half).reduce(0, +) / Double(max(lags.count - half, 1))
        let growing = secondHalf > firstHalf * 1.5 && secondHalf > 4_000_000
        report.commands.append("tracetail-gen --out DIR --format pino --records 0 --follow --rate \(rate) --duration \(seconds + 4) (into the served directory) while wrk runs as above")
        report.add("writer at \(rate) records/s during wrk: \(appended)", "\(Int(committed)) records committed, the probe's included (\(format(drained, 1)) s after the writer stopped until all were)", target: "kept up", met: drained < 2)
        report.add(
            "… backlog (sum of tracetail_file_lag_bytes, \(lags.count) samples): mean of first / second half, max",
            "\(megabytes(Int64(firstHalf))) / \(megabytes(Int64(secondHalf))), \(megabytes(Int64(lags.max() ?? 0)))",
            target: "not growing (was 591 MB)", met: !growing)
        report.add(
            "… freshness of a probe record every 250 ms (\(samples.count)), p50 / p99",
            "\(format(percentile(samples, 50), 0)) / \(format(percentile(samples, 99), 0)) ms", target: "p99 ≤ 1000 ms",
            met: percentile(samples, 99) <= 1000)
        report.add("… clients' answers/s", format(result.requestsPerSecond, 0) + "/s", target: "≥ 1,250/s (was 323/s)", met: result.requestsPerSecond >= 1250)
        report.add("… clients' p50 / p99, errors", "\(format(result.p50, 1)) / \(format(result.p99, 1)) ms, \(result.errors)", target: "p99 ≤ 100 ms, 0 errors", met: result.p99 <= 100 && result.errors == 0)
    }

    /// VmHWM of a running process, in KiB.
    func peakRSSKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?.split(separator: " ").compactMap { Int($0) }.first ?? 0
    }

    /// The sum of a metric's samples in the daemon's /metrics.
    static func metric(_ client: HTTPClient, _ name: String) -> Double {
        guard let (status, body) = try? client.get("/metrics"), status == 200 else { return 0 }
        return String(decoding: body, as: UTF8.self).split(separator: "\n").reduce(0) { sum, line in
            guard line.hasPrefix(name), line.dropFirst(name.count).first.map({ $0 == " " || $0 == "{" }) == true,
                  let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { return sum }
            return sum + value
        }
    }
}
