import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
import TraceTailPostgres

/// Two real `tracetail serve --ship-to` daemons given one host name: the second refuses to ship
/// and says so in its log (once), `/stats`, `/metrics` and `/readyz`, while it keeps tailing;
/// the first ships on.
@Suite("Fleet host identity: two daemons, one name", .serialized)
struct FleetHostIdentityDaemonTests {
    /// A host's directory with `count` pino records of its own trace in one PM2 log file.
    static func host(_ root: String, trace: String, count: Int) throws -> [String] {
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        var text = ""
        for n in 0..<count {
            text += #"{"level":30,"time":\#(1_782_986_400_000 + n),"trace_id":"\#(trace)","msg":"record \#(n)"}"# + "\n"
        }
        try text.write(toFile: root + "/logs/api-out.log", atomically: true, encoding: .utf8)
        return ["--logs", root + "/logs", "--db", root + "/db.sqlite", "--listen", "127.0.0.1:0", "--log-level", "info"]
    }

    static func text(_ daemon: DaemonProcess, _ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(daemon.port)\(path)")!)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test("the second daemon under a name refuses: log, /stats, /metrics and /readyz say why; its tailer goes on")
    func secondDaemonRefused() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "fleet") }
        let url = cluster.url(database: database)
        let fleet = try FleetDatabase(url: url, logger: Logger(label: "test"))
        try await FleetSchema.migrate(fleet)
        fleet.close()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-identity-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }

        let firstArguments = try Self.host(root + "/a", trace: "0af7651916cd43dd8448eb211c80319c", count: 40)
        let first = try DaemonProcess(arguments: ["serve"] + firstArguments + ["--ship-to", url, "--host-name", "api-1"])
        defer { first.kill() }
        try await first.waitUntilListening()
        var stats: [String: Any] = [:]
        for _ in 0..<600 {
            stats = try await first.get("/stats").1
            if stats["shipped_records"] as? Int == 40 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(stats["shipped_records"] as? Int == 40)

        let secondArguments = try Self.host(root + "/b", trace: "4bf92f3577b34da6a3ce929d0e0e4736", count: 25)
        let second = try DaemonProcess(arguments: ["serve"] + secondArguments + ["--ship-to", url, "--host-name", "api-1"])
        defer { second.kill() }
        try await second.waitUntilListening()
        for _ in 0..<600 {
            stats = try await second.get("/stats").1
            if stats["ship_refused"] as? Int == 1, stats["records"] as? Int == 25 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(stats["ship_refused"] as? Int == 1)
        #expect(stats["records"] as? Int == 25)
        #expect(stats["shipped_records"] as? Int == 0)
        let error = try #require(stats["ship_last_error"] as? String)
        #expect(error.contains("the host name 'api-1' is held in the fleet store by another local store"))
        #expect(error.contains("--replace-store "))
        let (readyStatus, ready) = try await Self.text(second, "/readyz")
        #expect(readyStatus == 503)
        #expect(ready.contains("shipping refused"))
        // The gauges are refreshed every second.
        var metrics = ""
        for _ in 0..<100 where !metrics.contains("tracetail_ship_refused 1") {
            metrics = try await Self.text(second, "/metrics").1
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(metrics.contains("tracetail_ship_refused 1"))
        #expect(second.log.components(separatedBy: "shipping refused").count == 2)

        // The first ships on, alone under the name.
        #expect(try await first.get("/readyz").0 == 200)
        let hosts = try await offThread { try cluster.psql("SELECT count(*), sum(records) FROM tracetail_hosts", database: database) }
        #expect(hosts == "1|40")
    }
}
