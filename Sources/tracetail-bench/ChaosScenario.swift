import Foundation
import TraceTailCore

/// The chaos run itself: a single loop that writes, rotates and kills on a schedule drawn from
/// the seed, then lets the daemon catch up and counts.
struct ChaosScenario {
    let tracetail: String
    let work: String
    let rate: Int
    var random: SeededRandom
    var writers: [ChaosWriter]
    var daemon: Daemon?
    var result = ChaosResult()

    init(tracetail: String, work: String, rate: Int, seed: UInt64) {
        self.tracetail = tracetail
        self.work = work
        self.rate = rate
        self.random = SeededRandom(seed: seed)
        writers = ["orchestrator-out.log", "agent-scaffold-out.log", "api-out-3.log", "agent-review-error.log"].enumerated().map {
            ChaosWriter(name: $0.element, trace: String(format: "c0ffee%026llx", UInt64($0.offset + 1) * 0x1111_1111 + seed))
        }
    }

    /// Keep each daemon's log in the working directory (`--keep`).
    var keepLogs = false
    var logs: String { work + "/logs" }
    var database: String { work + "/store.sqlite" }
    var environment: [String: String] {
        ["TRACETAIL_CONFIG": work + "/empty.yaml", "TRACETAIL_RETENTION_MAX_AGE": "0", "TRACETAIL_RETENTION_MAX_BYTES": "0",
         "TRACETAIL_LOGS_POLL_INTERVAL": "50ms", "TRACETAIL_STORE_FLUSH_INTERVAL": "100ms"]
    }

    mutating func start() throws {
        daemon = try Daemon(
            executable: tracetail, arguments: ["serve", "--logs", logs, "--db", database, "--listen", "127.0.0.1:0", "--log-level", "info"],
            environment: environment, logFile: keepLogs ? work + "/daemon-\(result.kills).log" : nil)
    }

    mutating func kill() throws {
        daemon?.kill()
        result.kills += 1
        try start()
    }

    mutating func write(_ index: Int, count: Int) throws {
        guard !writers[index].paused else { return }
        let path = logs + "/" + writers[index].name
        if !FileManager.default.fileExists(atPath: path) { try createFile(path) }
        var text = ""
        for _ in 0..<count {
            text += writers[index].line(writers[index].written)
            writers[index].written += 1
        }
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    mutating func run(kills: Int) throws -> ChaosResult {
        try start()
        let perTick = max(1, rate / writers.count / 100)  // ticks of 10 ms
        var nextKill = Date().addingTimeInterval(random.interval(0.3, 1.2))
        var killsLeft = kills
        var nextEvent = Date().addingTimeInterval(0.75)
        var rotations = 0
        // Until every kill and each of the four file events has happened: both go by the clock, so
        // a loaded machine (fewer ticks a second) changes how much is written, never what happens.
        while killsLeft > 0 || rotations < 4 {
            for index in writers.indices { try write(index, count: perTick) }
            if killsLeft > 0, Date() >= nextKill {
                try kill()
                killsLeft -= 1
                nextKill = Date().addingTimeInterval(random.interval(0.3, 1.2))
            }
            // Every ~1.5 s, one of the file events, in turn.
            if Date() >= nextEvent {
                try event(rotations % 4)
                rotations += 1
                nextEvent = Date().addingTimeInterval(1.5)
            }
            usleep(10_000)
        }
        // Let the daemon read everything, then stop it cleanly and count.
        try waitUntilCaughtUp(timeout: 120)
        _ = daemon?.stop()
        try count()
        return result
    }

    /// The file events, one at a time: pm2-logrotate, rename rotation, pm2 flush, delete and recreate.
    mutating func event(_ kind: Int) throws {
        let writer = writers[kind]
        let path = logs + "/" + writer.name
        let fm = FileManager.default
        switch kind {
        case 0:
            // pm2-logrotate: copy to __<date>.log, then truncate the original.
            let stamp = String(format: "2026-07-02_00-%02d-%02d", result.events.count / 60 % 60, result.events.count % 60)
            let copy = path.replacingOccurrences(of: ".log", with: "__\(stamp).log")
            try? fm.removeItem(atPath: copy)
            try fm.copyItem(atPath: path, toPath: copy)
            truncate(path)
            result.events.append("logrotate \(writer.name)")
        case 1:
            // System logrotate's create: rename, and the writer goes on in a new file.
            var n = 1
            while fm.fileExists(atPath: "\(path).\(n)") { n += 1 }
            try fm.moveItem(atPath: path, toPath: "\(path).\(n)")
            result.events.append("rename \(writer.name)")
        case 2, 3:
            // pm2 flush and deletion drop what is in the file: PM2 users lose unread lines too, so
            // wait until the daemon has read the file, then flush or delete it.
            writers[kind].paused = true
            try waitUntilCaughtUp(timeout: 60, only: writer.name)
            if kind == 2 {
                truncate(path)
                result.events.append("flush \(writer.name)")
            } else {
                try fm.removeItem(atPath: path)
                result.events.append("delete+recreate \(writer.name)")
            }
            writers[kind].paused = false
        default:
            break
        }
    }

    func truncate(_ path: String) {
        let handle = FileHandle(forWritingAtPath: path)
        handle?.truncateFile(atOffset: 0)
        handle?.closeFile()
    }

    /// Waits until the store's position of each live file equals the file's size (read from the
    /// store with `tracetail stats`, so it works whether the daemon is up or restarting).
    mutating func waitUntilCaughtUp(timeout: TimeInterval, only: String? = nil) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let stats = try Subprocess.run(tracetail, ["stats", "--db", database], environment: environment)
            var offsets: [String: Int64] = [:]
            for line in stats.output.split(separator: "\n") where line.hasPrefix("  ") && line.contains("[live] offset ") {
                let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
                if let offset = Int64(parts[3].trimmingCharacters(in: CharacterSet(charactersIn: ","))) { offsets[String(parts[0])] = offset }
            }
            let names = (try FileManager.default.contentsOfDirectory(atPath: logs)).filter { only == nil || $0 == only }
            let behind = names.filter { name in
                let size = ((try? FileManager.default.attributesOfItem(atPath: logs + "/" + name))?[.size] as? NSNumber)?.int64Value ?? 0
                return size > 0 && offsets[name] != size
            }
            if behind.isEmpty && !names.isEmpty || (only != nil && names.isEmpty) { return }
            usleep(100_000)
        }
        throw BenchError("the daemon did not catch up within \(Int(timeout)) s")
    }

    /// Reads every writer's records back and counts.
    mutating func count() throws {
        for writer in writers {
            // Every page, through the cursor: pages hold at most 10,000 records.
            var lines: [[String: Any]] = []
            var cursor: String?
            repeat {
                let arguments = ["logs", "--db", database, "--json", "--limit", "10000", "--trace", writer.trace]
                    + (cursor.map { ["--cursor", $0] } ?? [])
                let page = try Subprocess.run(tracetail, arguments, environment: environment)
                let data = page.output.split(separator: "\n").first { $0.hasPrefix("{") }.map { Data($0.utf8) } ?? Data()
                let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
                lines += json["lines"] as? [[String: Any]] ?? []
                cursor = json["next_cursor"] as? String
            } while cursor != nil
            var seen = Set<Int>()
            var twice: [Int] = []
            var places: [Int: [String]] = [:]
            for line in lines {
                guard let raw = line["raw"] as? String, let range = raw.range(of: #""seq":"#) else { continue }
                let n = Int(raw[range.upperBound...].prefix { $0.isNumber }) ?? -1
                places[n, default: []].append("\(line["file"] as? String ?? "?")")
                if !seen.insert(n).inserted {
                    result.duplicated += 1
                    twice.append(n)
                }
            }
            let missing = (0..<writer.written).filter { !seen.contains($0) }
            result.written += writer.written
            result.stored += lines.count
            result.missing += missing.count
            if !twice.isEmpty {
                let files = Set(twice.flatMap { places[$0] ?? [] }).sorted()
                result.details.append("\(writer.name): stored twice \(ChaosResult.ranges(twice)) (found in \(files.joined(separator: ", ")))")
            }
            if !missing.isEmpty { result.details.append("\(writer.name): missing \(ChaosResult.ranges(missing))") }
        }
        if Subprocess.which("sqlite3") != nil {
            result.integrity = (try Subprocess.shell("sqlite3 \(database) 'PRAGMA integrity_check'")).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

/// A schedule that a seed repeats.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    mutating func interval(_ low: Double, _ high: Double) -> TimeInterval {
        low + (high - low) * Double(next() % 10_000) / 10_000
    }
}
