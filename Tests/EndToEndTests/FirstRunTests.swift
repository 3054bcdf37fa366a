import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a new user meets in the first five minutes: a taken port, a second writer, readiness,
/// a mistyped database path or setting, and the exit codes that tell them apart.
@Suite("First run", .serialized)
struct FirstRunTests {
    static func temporaryRoot(_ name: String) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        return root
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A socket listening on a free port of 127.0.0.1; returns the descriptor and the port.
    static func occupyPort() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        try #require(bound == 0 && listen(fd, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("serve on a port in use exits 1 at once with one clear line, storing nothing")
    func portInUse() async throws {
        let root = try Self.temporaryRoot("port")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #"{"level":30,"time":1782986400000,"msg":"hello"}"#.appending("\n").write(toFile: root + "/logs/a-out.log", atomically: true, encoding: .utf8)
        let (fd, port) = try Self.occupyPort()
        defer { close(fd) }
        let run = try await CommandLineRun.run(["serve", "--logs", root + "/logs", "--db", root + "/db.sqlite", "--listen", "127.0.0.1:\(port)"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot listen on 127.0.0.1:\(port): address already in use"), "\(run.stderr)")
        #expect(!run.stderr.contains("Usage:"))
        #expect(run.stderr.split(separator: "\n").count <= 2, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/db.sqlite"), "nothing is stored before the port is known to be free")
    }

    @Test("Only one process writes a store: a second serve or ingest is refused, naming the holder; reading works")
    func oneWriter() async throws {
        let root = try Self.temporaryRoot("writer")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #"{"level":30,"time":1782986400000,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"hello"}"#.appending("\n")
            .write(toFile: root + "/logs/a-out.log", atomically: true, encoding: .utf8)
        let common = ["--logs", root + "/logs", "--db", root + "/db.sqlite"]
        let daemon = try DaemonProcess(arguments: ["serve", "--listen", "127.0.0.1:0"] + common)
        defer { daemon.kill() }
        try await daemon.waitUntilListening()
        let pid = daemon.process.processIdentifier

        let ingest = try await CommandLineRun.run(["ingest"] + common)
        #expect(ingest.status == 1)
        #expect(ingest.stderr.contains("another tracetail process (pid \(pid)) is writing this store"), "\(ingest.stderr)")
        #expect(!ingest.stderr.contains("Usage:"))
        let second = try await CommandLineRun.run(["serve", "--listen", "127.0.0.1:0"] + common)
        #expect(second.status == 1)
        #expect(second.stderr.contains("(pid \(pid))"), "\(second.stderr)")
        let prune = try await CommandLineRun.run(["prune"] + common)
        #expect(prune.status == 1)

        let stats = try await CommandLineRun.run(["stats"] + common)
        #expect(stats.status == 0, "\(stats.stderr)")
        let logs = try await CommandLineRun.run(["logs", "--trace", "4bf92f3577b34da6a3ce929d0e0e4736"] + common)
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("hello"))
        #expect(try await daemon.terminate() == 0)

        // Once the daemon is gone, the store can be written again.
        let after = try await CommandLineRun.run(["ingest"] + common)
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test("readyz answers 503 until the backlog present at start is stored; then every answer is complete")
    func readiness() async throws {
        let root = try Self.temporaryRoot("ready")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let samples = Self.repository.appendingPathComponent("samples/pm2-logs").path
        let logs = root + "/logs"
        for name in try FileManager.default.contentsOfDirectory(atPath: samples) {
            try FileManager.default.copyItem(atPath: samples + "/" + name, toPath: logs + "/" + name)
        }
        let daemon = try DaemonProcess(arguments: ["serve", "--logs", logs, "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0"])
        defer { daemon.kill() }
        try await daemon.waitUntilListening()
        var statuses: [Int] = []
        for _ in 0..<1200 {
            let (status, body) = try await daemon.get("/readyz")
            statuses.append(status)
            if status == 200 { break }
            #expect(status == 503)
            #expect(body["status"] as? String == "not ready")
            #expect(body["reason"] as? String != nil)
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(statuses.last == 200)
        // Ready means complete: the quick-tour trace, whose first records are in the rotated copy.
        let (status, body) = try await daemon.get("/traces/3ca0b749-6380-463a-9e52-a8780c3703e3/logs")
        #expect(status == 200)
        #expect(body["count"] as? Int == 25)
        // ... and all of it: the records held at the ends of files for continuation lines too.
        let (_, stats) = try await daemon.get("/stats")
        #expect(stats["records"] as? Int == 2_000, "\(stats)")
        #expect(daemon.log.contains("caught up"))
        #expect(daemon.log.contains("tracetail serving"), "one start-up line says where everything is")
        #expect(daemon.log.contains("store=\(root)/db.sqlite") && daemon.log.contains("files=15"), "\(daemon.log)")
    }

    @Test("Reading commands refuse a database that does not exist, and create nothing")
    func missingDatabase() async throws {
        let root = try Self.temporaryRoot("missing")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let typo = root + "/no-such-folder/tracetail.sqlite"
        for arguments in [
            ["query", "4bf92f3577b34da6a3ce929d0e0e4736"], ["logs", "--trace", "4bf92f3577b34da6a3ce929d0e0e4736"],
            ["trace", "4bf92f3577b34da6a3ce929d0e0e4736"], ["stats"], ["prune", "--max-age", "30d"],
        ] {
            let run = try await CommandLineRun.run(arguments + ["--db", typo])
            #expect(run.status == 1, "\(arguments)")
            #expect(run.stderr.contains("no database at \(typo)"), "\(arguments): \(run.stderr)")
            #expect(!run.stderr.contains("Usage:"), "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/no-such-folder"))
    }

    @Test("A new database in a new folder is created, and the log says so")
    func newDatabase() async throws {
        let root = try Self.temporaryRoot("new")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try await CommandLineRun.run(["ingest", "--logs", root + "/logs", "--db", root + "/new/folder/t.sqlite"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("creating a new store"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/new/folder/t.sqlite"))
    }

    @Test("A TRACETAIL_ variable that names no setting, a bad log level and an overflowing value are refused, naming them")
    func settingTypos() async throws {
        let typo = try await CommandLineRun.run(["config"], environment: ["TRACETAIL_STORE_PAHT": "/tmp/x.sqlite"])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("TRACETAIL_STORE_PAHT names no setting"), "\(typo.stderr)")
        let level = try await CommandLineRun.run(["config", "--log-level", "verbose"])
        #expect(level.status == 1)
        #expect(level.stderr.contains("log.level: 'verbose'"), "\(level.stderr)")
        for (name, value, key) in [
            ("TRACETAIL_RETENTION_MAX_AGE", "infd", "retention.max_age"), ("TRACETAIL_RETENTION_MAX_AGE", "1e30d", "retention.max_age"),
            ("TRACETAIL_RETENTION_MAX_BYTES", "99999999999GiB", "retention.max_bytes"),
            ("TRACETAIL_CORRELATE_TIMEOUT", "30d", "correlate.timeout"),
            ("TRACETAIL_LOGS_MIN_PASS_INTERVAL", "2s", "logs.min_pass_interval"),
            ("TRACETAIL_LOGS_MIN_PASS_INTERVAL", "-5ms", "logs.min_pass_interval"),
        ] {
            let run = try await CommandLineRun.run(["config"], environment: [name: value])
            #expect(run.status == 1, "\(value)")
            #expect(run.stderr.contains("\(key): '\(value)'"), "\(run.stderr)")
        }
    }

    @Test("config shows each setting's effective value and where it came from")
    func configSources() async throws {
        let run = try await CommandLineRun.run(
            ["config", "--config", Self.repository.appendingPathComponent("Config/tracetail.yaml").path, "--db", "/tmp/flag.sqlite"],
            environment: ["TRACETAIL_RETENTION_MAX_AGE": "30d"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("retention.max_age = 30d  [environment, default 7d; TRACETAIL_RETENTION_MAX_AGE]") }, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("store.path = /tmp/flag.sqlite  [flag") })
        #expect(lines.contains { $0.hasPrefix("logs.directory = samples/pm2-logs  [file") })
        #expect(lines.contains { $0.hasPrefix("retention.interval = 5m  [file, default 5m;") }, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("http.token = none  [file, default none;") })
    }

    @Test("config and its errors never show a password: ship.url, correlate.url, a password parameter, a text that is not a URL")
    func configSecrets() async throws {
        // Found by a review: ship.url was listed as it was, and a URL that did not parse was
        // echoed whole in the error.
        let run = try await CommandLineRun.run(["config", "--config", "/dev/null"], environment: [
            "TRACETAIL_SHIP_URL": "postgres://shipper:sh1pSecret@fleet/fleet",
            "TRACETAIL_CORRELATE_URL": "postgres://reader@db/app?password=c0rrSecret",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ship.url = postgres://shipper:***@fleet/fleet"), "\(run.stdout)")
        #expect(run.stdout.contains("correlate.url = postgres://reader@db/app?password=***"), "\(run.stdout)")
        #expect(!run.stdout.contains("Secret"), "\(run.stdout)")
        for value in ["postgresql+psycopg://u:sh1pSecret@h/db", "host=db user=x password=sh1pSecret"] {
            let bad = try await CommandLineRun.run(["config", "--config", "/dev/null"], environment: ["TRACETAIL_SHIP_URL": value])
            #expect(bad.status == 1, "\(value)")
            #expect(bad.stderr.contains("is not a postgres:// URL"), "\(bad.stderr)")
            #expect(!bad.stderr.contains("Secret"), "\(bad.stderr)")
        }
        // correlate.url is read when used (CorrelationFindingsTests has its errors).
    }

    @Test("--config /dev/null runs on the defaults alone (a file whose size is not known up front is read)")
    func emptyConfigDevice() async throws {
        let run = try await CommandLineRun.run(["config", "--config", "/dev/null"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("config file: /dev/null"), "\(run.stdout)")
        #expect(run.stdout.contains("retention.max_age = 7d  [default"), "\(run.stdout)")
    }

    @Test("On a terminal, an error record shows its error's message, and trace (or --stack) its stack")
    func errorText() async throws {
        let root = try Self.temporaryRoot("text")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = ["--db", root + "/db.sqlite"]
        let ingest = try await CommandLineRun.run(["ingest", "--logs", Self.repository.appendingPathComponent("samples/pm2-logs").path] + db)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let trace = "3ca0b749-6380-463a-9e52-a8780c3703e3"
        let errors = try await CommandLineRun.run(["logs", "--trace", trace, "--level", "error"] + db)
        #expect(errors.stdout.contains("ERROR task failed \u{2014} Error: publish failed: ECONNRESET"), "\(errors.stdout)")
        #expect(!errors.stdout.contains("    at "))
        let stack = try await CommandLineRun.run(["logs", "--trace", trace, "--level", "error", "--stack"] + db)
        #expect(stack.stdout.contains("\n    at Orchestrator.collect (/srv/agents/deploy/dist/orchestrator.js:195:10)\n"), "\(stack.stdout)")
        #expect(stack.stdout.contains("\n    caused by: Error: ECONNRESET\n"))
        let overview = try await CommandLineRun.run(["trace", trace] + db)
        #expect(overview.stdout.contains("\n    at Orchestrator.collect"))
        #expect(overview.stdout.contains("25 records, 3 errors"), "a console.warn line on stderr is a warning, not an error")
        // query prints what logs prints.
        let query = try await CommandLineRun.run(["query", trace] + db)
        let logs = try await CommandLineRun.run(["logs", "--trace", trace] + db)
        #expect(query.stdout == logs.stdout)
        #expect(query.stdout.split(separator: "\n").count == 25)
        // Aligned: the level column starts at the same place on every line.
        let lines = query.stdout.split(separator: "\n")
        #expect(Set(lines.map { $0.dropFirst(47).prefix(1) }) == [" "])
        #expect(Set(lines.map { $0.dropFirst(48).prefix(1) }).isSubset(of: ["T", "D", "I", "W", "E", "F", "-"]))
    }

    @Test("Runtime failures exit 1 with the error alone; argument mistakes exit 64 with usage")
    func exitCodes() async throws {
        let root = try Self.temporaryRoot("exit")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = ["--db", root + "/db.sqlite", "--logs", root + "/logs"]
        _ = try await CommandLineRun.run(["ingest"] + db)
        let notFound = try await CommandLineRun.run(["query", "4bf92f3577b34da6a3ce929d0e0e4736"] + db)
        #expect(notFound.status == 1)
        #expect(notFound.stderr.contains("no records for trace id"))
        #expect(!notFound.stderr.contains("Usage:"))
        let mistake = try await CommandLineRun.run(["logs"] + db)
        #expect(mistake.status == 64)
        #expect(mistake.stderr.contains("Usage:"))
        try "not a database".write(toFile: root + "/bad.sqlite", atomically: true, encoding: .utf8)
        let damaged = try await CommandLineRun.run(["ingest", "--db", root + "/bad.sqlite", "--logs", root + "/logs"])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("stats --check") && damaged.stderr.contains("moving the file aside"), "\(damaged.stderr)")
        #expect(!damaged.stderr.contains("Usage:"))
    }
}
