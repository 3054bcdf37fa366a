import ArgumentParser
import Foundation

/// The fleet's benchmark line, from one run as a user runs it: three hosts' log directories
/// written by tracetail-gen (pino), three `tracetail serve --ship-to` daemons and a query node on
/// a private PostgreSQL cluster. Prints records/s ingested locally against records/s shipped,
/// the query node's lookup p50/p99 over random traces of all three hosts, and PostgreSQL's size
/// against the local stores'.
struct FleetBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Ships three hosts' records to a private PostgreSQL and measures shipping, central lookups and size.",
        discussion: """
            Run after `swift build -c release` (it uses the tracetail and tracetail-gen binaries \
            beside it) on a machine with PostgreSQL installed (apt-get install -y postgresql); as \
            root, the cluster runs as the postgres user.
            """)

    @Option(help: "Records in all, spread over the three hosts (the issue's figure is 10,000,000).")
    var records = 900_000

    @Option(help: "Traces looked up on the query node (sequentially, one connection).")
    var lookups = 500

    @Option(help: "Working directory (removed at the end unless --keep).")
    var work = "/tmp/tracetail-fleet-bench"

    @Flag(help: "Keep the working directory.")
    var keep = false

    func run() throws {
        let tracetail = try siblingExecutable("tracetail")
        let generator = try siblingExecutable("tracetail-gen")
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }
        let cluster = try BenchCluster(directory: work + "/pg")
        defer { cluster.stop() }
        let url = try cluster.createDatabase("fleet")

        let perHost = records / 3
        for host in 1...3 {
            let outcome = try Subprocess.run(generator, [
                "--out", "\(work)/h\(host)/logs", "--records", "\(perHost)", "--format", "pino", "--seed", "\(host)",
            ])
            guard outcome.status == 0 else { throw BenchError("tracetail-gen failed: \(outcome.output)") }
        }
        let node = try Daemon(executable: tracetail, arguments: [
            "serve", "--store", url, "--listen", "127.0.0.1:0", "--log-level", "info",
        ])
        defer { node.stop() }
        let started = Date()
        var shippers: [Daemon] = []
        defer { for shipper in shippers { shipper.stop() } }
        for host in 1...3 {
            shippers.append(try Daemon(executable: tracetail, arguments: [
                "serve", "--logs", "\(work)/h\(host)/logs", "--db", "\(work)/h\(host)/db.sqlite", "--listen", "127.0.0.1:0",
                "--ship-to", url, "--host-name", "api-\(host)", "--log-level", "info",
            ]))
        }
        let total = perHost * 3
        var ingested: Double?
        var shipped: Double?
        let clients = shippers.map { HTTPClient(port: $0.port) }
        let central = HTTPClient(port: node.port)
        while shipped == nil {
            Thread.sleep(forTimeInterval: 0.25)
            let local = try clients.reduce(0) { $0 + (try Self.stat($1, "records")) }
            if ingested == nil, local >= total { ingested = Date().timeIntervalSince(started) }
            if try Self.stat(central, "records") >= total { shipped = Date().timeIntervalSince(started) }
        }
        let ingestSeconds = ingested ?? shipped!
        let shipSeconds = shipped!
        print("records: \(total) from 3 hosts (\(perHost) each)")
        print(String(format: "local ingest:  %.0f records/s (%.1f s, 3 daemons at once)", Double(total) / ingestSeconds, ingestSeconds))
        print(String(format: "shipped to PG: %.0f records/s (all in PostgreSQL %.1f s after the start, %.1f s after local ingest)",
                     Double(total) / shipSeconds, shipSeconds, shipSeconds - ingestSeconds))

        // Uniformly over every trace of every host (the summary table), not just the recent ones.
        let ids = try cluster.psql("fleet", """
            SELECT replace(trace_id::text, '-', '') FROM (SELECT DISTINCT trace_id FROM tracetail_traces) t
            ORDER BY random() LIMIT \(lookups)
            """).split(separator: "\n").map(String.init)
        let times = try Self.lookups(central, ids: ids)
        print(String(format: "central lookup (/traces/{id}/logs?limit=10000, %d random traces): p50 %.1f ms, p99 %.1f ms",
                     times.count, Self.percentile(times, 0.50), Self.percentile(times, 0.99)))

        for shipper in shippers { shipper.stop() }
        shippers = []
        var local = 0
        for host in 1...3 {
            for suffix in ["", "-wal", "-shm"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: "\(work)/h\(host)/db.sqlite\(suffix)")[.size] as? Int) ?? 0
                local += size
            }
        }
        let sizeQuery = """
            SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM pg_class
            WHERE relkind = 'r' AND relname LIKE 'tracetail%'
            """
        let asShipped = Int(try cluster.psql("fleet", sizeQuery)) ?? 0
        print("size as shipped (MB):   " + (try Self.breakdown(cluster)))
        print("trace summaries: " + (try cluster.psql("fleet", Self.summaryActivity)))
        _ = try cluster.psql("fleet", "VACUUM FULL")
        let compacted = Int(try cluster.psql("fleet", sizeQuery)) ?? 0
        print("size after VACUUM FULL: " + (try Self.breakdown(cluster)))
        print(String(format: "size: local stores %.1f MB; PostgreSQL tables %.1f MB as shipped (%.2fx), %.1f MB after VACUUM FULL (%.2fx)",
                     Double(local) / 1e6, Double(asShipped) / 1e6, Double(asShipped) / Double(max(1, local)),
                     Double(compacted) / 1e6, Double(compacted) / Double(max(1, local))))
    }

    /// Where PostgreSQL's bytes are, per kind of table (day partitions summed): the table itself
    /// (main fork, free space map and visibility map), its TOAST table with the TOAST index, and
    /// its own indexes; so that a change of layout can be judged by the part it changes.
    static func breakdown(_ cluster: BenchCluster) throws -> String {
        try cluster.psql("fleet", """
            SELECT string_agg(format('%s %s/%s/%s', k, round(heap / 1e6, 1), round(toast / 1e6, 1), round(idx / 1e6, 1)),
                              ', ' ORDER BY o) || ' (table/TOAST/indexes)'
            FROM (SELECT k, min(o) AS o, sum(pg_table_size(oid) - toast) AS heap, sum(toast) AS toast,
                         sum(pg_indexes_size(oid)) AS idx
                  FROM (SELECT c.oid,
                               CASE WHEN c.relname LIKE 'tracetail\\_blocks%' THEN 'blocks'
                                    WHEN c.relname LIKE 'tracetail\\_postings%' THEN 'postings'
                                    WHEN c.relname IN ('tracetail_traces', 'tracetail_trace_summaries', 'tracetail_app_sets')
                                        THEN 'trace summaries' ELSE 'other' END AS k,
                               CASE WHEN c.relname LIKE 'tracetail\\_blocks%' THEN 1
                                    WHEN c.relname LIKE 'tracetail\\_postings%' THEN 2
                                    WHEN c.relname IN ('tracetail_traces', 'tracetail_trace_summaries', 'tracetail_app_sets') THEN 3
                                    ELSE 4 END AS o,
                               CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END AS toast
                        FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'tracetail%') r
                  GROUP BY k) g
            """)
    }

    /// The trace summary table's rows and updates (HOT: without a new index entry); the table is
    /// `tracetail_trace_summaries` from schema version 4 on, `tracetail_traces` (now its view) before.
    static let summaryActivity = """
        SELECT (SELECT count(*) FROM tracetail_traces) || ' rows; ' || n_tup_ins || ' inserted, ' || n_tup_upd
               || ' updated (' || n_tup_hot_upd || ' HOT), ' || n_dead_tup || ' dead'
        FROM pg_stat_user_tables WHERE relname IN ('tracetail_traces', 'tracetail_trace_summaries')
        """

    /// An integer of a daemon's `/stats` (0 while it does not answer yet).
    static func stat(_ client: HTTPClient, _ name: String) throws -> Int {
        guard let (status, body) = try? client.get("/stats"), status == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        else { return 0 }
        return json[name] as? Int ?? 0
    }

    /// Milliseconds of each lookup, one after the other on one connection.
    static func lookups(_ client: HTTPClient, ids: [String]) throws -> [Double] {
        guard !ids.isEmpty else { throw BenchError("no traces in the fleet store") }
        var times: [Double] = []
        for id in ids {
            let start = DispatchTime.now().uptimeNanoseconds
            let (answer, _) = try client.get("/traces/\(id)/logs?limit=10000")
            guard answer == 200 else { throw BenchError("/traces/\(id)/logs answered \(answer)") }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// A private PostgreSQL cluster for the benchmark: `initdb` and `pg_ctl` of the newest installed
/// server, on a free port of 127.0.0.1 with trust authentication; as the `postgres` user when run
/// as root (`initdb` refuses root).
struct BenchCluster {
    let directory: String
    let binaries: String
    let port: Int

    init(directory: String) throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else {
            throw BenchError("PostgreSQL is not installed: apt-get install -y postgresql")
        }
        binaries = "/usr/lib/postgresql/\(newest)/bin"
        self.directory = directory
        port = 20_000 + Int.random(in: 0..<20_000)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.check(Subprocess.run("chown", ["postgres", directory]), "chown") }
        try Self.check(server("initdb", ["-D", directory + "/data", "-U", "postgres", "--auth=trust", "--no-sync"]), "initdb")
        try Self.check(server("pg_ctl", [
            "-D", directory + "/data", "-l", directory + "/server.log", "-o", "-p \(port) -h 127.0.0.1 -k \(directory)", "start", "-w",
        ]), "pg_ctl start")
    }

    /// Runs a server program, as the postgres user when this process is root.
    private func server(_ program: String, _ arguments: [String]) throws -> Subprocess.Outcome {
        getuid() == 0
            ? try Subprocess.run("runuser", ["-u", "postgres", "--", "\(binaries)/\(program)"] + arguments)
            : try Subprocess.run("\(binaries)/\(program)", arguments)
    }

    static func check(_ outcome: Subprocess.Outcome, _ what: String) throws {
        guard outcome.status == 0 else { throw BenchError("\(what) failed: \(outcome.output)") }
    }

    func createDatabase(_ name: String) throws -> String {
        _ = try psql("postgres", "CREATE DATABASE \(name)")
        return "postgres://postgres@127.0.0.1:\(port)/\(name)"
    }

    /// psql's unaligned answer, trimmed.
    func psql(_ database: String, _ sql: String) throws -> String {
        let outcome = try Subprocess.run("\(binaries)/psql", [
            "-X", "-A", "-t", "-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-c", sql,
        ])
        try Self.check(outcome, "psql")
        return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        _ = try? server("pg_ctl", ["-D", directory + "/data", "stop", "-m", "immediate"])
    }
}
