import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TraceTailCore
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tails the log directory, stores its records, prunes on a schedule and serves the HTTP API.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on, HOST:PORT (http.listen).")
    var listen: String?

    func run() async throws {
        var extra: [String: String] = [:]
        if let listen { extra["http.listen"] = listen }
        let settings = try common.settings(extra: extra)
        let logger = Bootstrap.logging(level: settings.logLevel)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[TraceTailAPI.latencyHistogram.label] = TraceTailAPI.latencyHistogram.buckets
        MetricsSystem.bootstrap(factory)
        guard FileManager.default.fileExists(atPath: settings.logsDirectory) else {
            throw ValidationError("log directory \(settings.logsDirectory) does not exist (logs.directory, --logs)")
        }
        let store = try Bootstrap.openStore(settings, logger: logger)
        let status = TailerStatus()
        let tailer = TailerService(configuration: settings.tailer, store: store, logger: logger, status: status)
        let pruner = PrunerService(store: store, policy: settings.retention, intervalMillis: settings.pruneInterval, logger: logger)
        let dependencies = APIDependencies(
            store: store, parser: settings.parser,
            tailerRunning: { status.isRunning },
            tailerStats: { [("followed_files", Int64(status.followedFiles))] },
            metricsText: {
                var buffer = [UInt8]()
                registry.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self)
            },
            token: settings.token)
        let server = TraceTailAPI.server(settings.httpServer, logger: logger)
        let app = Application(
            router: TraceTailAPI.router(dependencies),
            server: server.builder,
            configuration: .init(address: .hostname(settings.listenHost, port: settings.listenPort), serverName: "tracetail"),
            onServerRunning: { channel in
                logger.info("listening", metadata: [
                    "address": "\(channel.localAddress.map { "\($0)" } ?? "?")", "max_connections": "\(server.connectionLimit)",
                ])
            },
            logger: logger)
        // Services stop in reverse order: the HTTP server first, then the pruner, then the tailer
        // (which commits what it has read), and the store closes last.
        let group = ServiceGroup(
            configuration: .init(
                services: [StoreService(store: store, logger: logger), tailer, pruner, app],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// Holds the store open for the daemon's life and closes it last on shutdown.
struct StoreService: Service {
    let store: SQLiteLogStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        try store.close()
        logger.info("store closed")
    }
}

/// Applies the retention policy on a schedule.
struct PrunerService: Service {
    let store: any LogStore
    let policy: RetentionPolicy
    let intervalMillis: Int64
    let logger: Logger

    func run() async throws {
        let runs = Counter(label: "tracetail_prune_runs_total")
        let deleted = Counter(label: "tracetail_pruned_records_total")
        while !Task.isShuttingDownGracefully {
            do {
                let report = try await store.prune(policy, now: WallClock.nowMillis())
                runs.increment()
                deleted.increment(by: report.recordsDeleted)
                if report.recordsDeleted > 0 {
                    logger.info("pruned", metadata: [
                        "records": "\(report.recordsDeleted)", "partitions": "\(report.partitionsDropped)",
                        "blocks": "\(report.blocksDeleted)", "bytes_freed": "\(report.bytesFreed)",
                    ])
                }
            } catch {
                logger.error("prune failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(intervalMillis)) }
        }
    }
}
