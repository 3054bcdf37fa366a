import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The fleet, as the issue's "done when" says: three shippers (each its own log directory, store
/// and host name) and one query node against one PostgreSQL of the test's own; writers append
/// while every shipper is SIGKILLed five times and PostgreSQL restarts once (immediate: as a
/// crash); at the end the query node returns every record exactly once, per host and per trace,
/// and the trace written on all three hosts merged in time order.
@Suite("Fleet: three shippers, one query node, kills and a PostgreSQL restart", .serialized)
struct FleetTests {
    static let shared = "5e1f1e37a0c94b7d8a0e6d2f9c3b4a71"
    static let hosts = ["api-1", "api-2", "api-3"]
    static let perTrace = 100

    /// One host: its directory, the lines it wrote (by trace), and its shipper's arguments.
    final class Host: @unchecked Sendable {
        let name: String
        let index: Int
        let root: String
        let arguments: [String]
        var daemon: DaemonProcess?
        /// Messages written, by trace id (canonical).
        var written: [String: [String]] = [:]
        var count = 0

        init(name: String, index: Int, root: String, url: String) throws {
            self.name = name
            self.index = index
            self.root = root
            try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
            arguments = ["serve", "--logs", root + "/logs", "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0",
                         "--ship-to", url, "--host-name", name, "--log-level", "info"]
        }

        func start() async throws {
            let daemon = try DaemonProcess(arguments: arguments)
            try await daemon.waitUntilListening()
            self.daemon = daemon
        }

        /// Appends `n` records: to the trace of this host's own (a new one every `perTrace`), and
        /// every tenth to the trace shared by all hosts, at times that interleave with the others'.
        func write(_ n: Int) throws {
            var lines: [String: String] = ["orchestrator-out.log": "", "agent-0-out.log": ""]
            for _ in 0..<n {
                let k = count
                count += 1
                let trace = k % 10 == 9 ? FleetTests.shared : String(format: "%08x%08x%016x", k / FleetTests.perTrace + 1, index + 1, 0x7431)
                let app = k % 2 == 0 ? "orchestrator" : "agent-0"
                let message = "\(name) record \(k)"
                // Times: the shared trace's records of the three hosts interleave (k * 3 + index).
                let time = 1_782_986_400_000 + Int64(k) * 3 + Int64(index)
                let line = #"{"level":30,"time":\#(time),"pid":1,"hostname":"\#(name)","trace_id":"\#(trace)","msg":"\#(message)"}"# + "\n"
                lines[app == "orchestrator" ? "orchestrator-out.log" : "agent-0-out.log"]! += line
                written[trace, default: []].append(message)
            }
            for (file, text) in lines where !text.isEmpty {
                let path = root + "/logs/" + file
                if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
                let handle = FileHandle(forWritingAtPath: path)!
                handle.seekToEndOfFile()
                handle.write(Data(text.utf8))
                handle.closeFile()
            }
        }
    }

    @Test("SIGKILL each shipper five times, restart PostgreSQL: every record once per host and trace")
    func killsAndRestart() async throws {
        // initdb, pg_ctl and psql block their thread: off the test's cooperative threads.
        let cluster = try await offThread { try PostgresCluster.start() }
        defer { try? cluster.stop(mode: "immediate") }
        let database = try await offThread { try cluster.createDatabase(prefix: "fleet") }
        let url = cluster.url(database: database)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-fleet-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }

        // With --correlate (an application database nothing listens for): a query node reads the
        // application's rows as a host's daemon does (it took the flag and never used it).
        let node = try DaemonProcess(arguments: [
            "serve", "--store", url, "--listen", "127.0.0.1:0", "--log-level", "info",
            "--correlate", "postgres://readonly@127.0.0.1:\(try FreePort.pick())/app",
        ])
        defer { node.kill() }
        try await node.waitUntilListening()
        let hosts = try Self.hosts.enumerated().map { try Host(name: $1, index: $0, root: root + "/" + $1, url: url) }
        for host in hosts { try await host.start() }
        defer { for host in hosts { host.daemon?.kill() } }

        // Writers append in chunks of 50 records per host every 50 ms (about 1,000 records/s per host
        // on this shared 2-core machine) while shippers are killed.
        let writing = Task {
            while !Task.isCancelled {
                for host in hosts { try host.write(50) }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<5 {
            for host in hosts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...900, using: &generator)))
                if let daemon = host.daemon { try await offThread { daemon.kill() } }
                kills += 1
                try await host.start()
            }
            if round == 2 {
                try await offThread { try cluster.restart(mode: "immediate") }
            }
        }
        writing.cancel()
        _ = await writing.result
        #expect(kills == 15)

        // Everything arrives: the query node's total reaches what was written.
        let total = hosts.reduce(0) { $0 + $1.count }
        var stored = 0
        for _ in 0..<600 {
            let (status, stats) = try await node.get("/stats")
            stored = status == 200 ? (stats["records"] as? Int ?? 0) : 0
            if stored >= total { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(stored == total, "query node holds \(stored) of \(total) records; \(hosts.map { $0.daemon?.log ?? "" }.joined().suffix(3000))")

        // Per host and per trace: exactly the messages written, once each, with their host.
        for host in hosts {
            for (trace, messages) in host.written where trace != Self.shared {
                let (status, body) = try await node.get("/traces/\(trace)/logs?limit=10000")
                #expect(status == 200)
                let records = body["lines"] as? [[String: Any]] ?? []
                let got = records.compactMap { $0["msg"] as? String }
                let same = got == messages
                #expect(same, "trace \(trace) of \(host.name): \(got.count) records back of \(messages.count) written")
                #expect(records.allSatisfy { $0["host"] as? String == host.name })
            }
        }
        // The trace written on all three hosts: merged in time order, each record once.
        let (status, body) = try await node.get("/traces/\(Self.shared)/logs?limit=10000")
        #expect(status == 200)
        let rowsDatabase = (body["rows"] as? [String: Any])?["database"] as? String
        #expect(rowsDatabase?.hasPrefix("unreachable: cannot connect to postgres://readonly@127.0.0.1:") == true, "\(rowsDatabase ?? "nil")")
        let records = body["lines"] as? [[String: Any]] ?? []
        let expected = hosts.flatMap { host in
            (host.written[Self.shared] ?? []).map { message in
                (Int(message.split(separator: " ").last!)! * 3 + host.index, message)
            }
        }.sorted { $0.0 < $1.0 }.map(\.1)
        #expect(records.count == expected.count)
        let merged = records.compactMap { $0["msg"] as? String } == expected
        #expect(merged, "the shared trace is not the three hosts' records merged in time order")
        let times = records.compactMap { $0["ts"] as? String }
        #expect(times == times.sorted())
        #expect(Set(records.compactMap { $0["host"] as? String }) == Set(Self.hosts))
        // host= filters like app=.
        let (_, only) = try await node.get("/traces/\(Self.shared)/logs?limit=10000&host=api-2")
        let onlyRecords = only["lines"] as? [[String: Any]] ?? []
        #expect(onlyRecords.count == hosts[1].written[Self.shared]?.count)
        #expect(onlyRecords.allSatisfy { $0["host"] as? String == "api-2" })
        // The summary table and the hosts' ledger agree with what was written, per host.
        for host in hosts {
            let summed = try await offThread { try cluster.psql("SELECT sum(records) FROM tracetail_traces WHERE host = '\(host.name)'", database: database) }
            #expect(summed == "\(host.count)", "\(host.name)")
            let ledger = try await offThread { try cluster.psql("SELECT records FROM tracetail_hosts WHERE name = '\(host.name)'", database: database) }
            #expect(ledger == "\(host.count)", "\(host.name)")
        }
        // The shared trace as the summary and /traces see it: three hosts.
        let (_, list) = try await node.get("/traces?limit=1000")
        let sharedItem = (list["traces"] as? [[String: Any]] ?? []).first { $0["trace_id"] as? String == Self.shared }
        #expect(sharedItem?["hosts"] as? [String] == Self.hosts)
        #expect(sharedItem?["records"] as? Int == expected.count)
        // The CLI over the fleet store: the same answers, each line naming its host.
        let init_ = try await CommandLineRun.run(["pg", "init", "--store", url])
        #expect(init_.status == 0 && init_.stdout.contains("up to date"), "\(init_.stdout)")
        let logs = try await CommandLineRun.run(["logs", "--trace", Self.shared, "--store", url, "--host", "api-2", "--limit", "10000"])
        #expect(logs.status == 0)
        let lines = logs.stdout.split(separator: "\n")
        #expect(lines.count == hosts[1].written[Self.shared]?.count, "\(logs.stdout.suffix(500))")
        #expect(lines.allSatisfy { $0.contains(" api-2:") })
        let stats = try await CommandLineRun.run(["stats", "--store", url])
        #expect(stats.stdout.contains("records:      \(total)\n"), "\(stats.stdout)")
        for host in hosts { #expect(stats.stdout.contains("  \(host.name): \(host.count) records")) }
        // Each shipper: nothing left to ship, no error standing, the lag in /metrics.
        for host in hosts {
            guard let daemon = host.daemon else { continue }
            var stats: [String: Any] = [:]
            for _ in 0..<40 {
                stats = try await daemon.get("/stats").1
                if stats["ship_lag_records"] as? Int == 0 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(stats["ship_lag_records"] as? Int == 0, "\(host.name): \(stats)")
            #expect(stats["host"] as? String == host.name)
            #expect(stats["ship_last_error"] is NSNull, "\(host.name): \(stats)")
            let metrics = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(daemon.port)/metrics")!).0
            #expect(String(decoding: metrics, as: UTF8.self).contains("tracetail_ship_lag_records"))
        }
        for host in hosts { #expect(try await host.daemon?.terminate() == 0) }
        #expect(try await node.terminate() == 0)
    }
}
