import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TraceTailAppDatabase
import TraceTailCore
import TraceTailHTTP
import TraceTailPostgres
import TraceTailStore
import TraceTailTailer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tails the log directory, stores its records, prunes on a schedule and serves the HTTP API.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on, HOST:PORT (http.listen).")
    var listen: String?

    @Option(name: .customLong("ship-to"), help: "Ship every record to this fleet store, postgres://USER@HOST:PORT/DB (ship.url).")
    var shipTo: String?

    @Option(name: .customLong("host-name"), help: "The name this host's records carry (ship.host_name; default: the machine's).")
    var hostName: String?

    @Option(name: .customLong("replace-store"), help: "Take the host name over in the fleet store from this local store id, after a re-install (ship.replace_store).")
    var replaceStore: String?

    @OptionGroup var correlate: CorrelateOption

    func run() async throws {
        var extra = correlate.overrides
        if let listen { extra["http.listen"] = listen }
        if let shipTo { extra["ship.url"] = shipTo }
        if let hostName { extra["ship.host_name"] = hostName }
        if let replaceStore { extra["ship.replace_store"] = replaceStore }
        let settings = try await common.settings(extra: extra)
        let logger = Bootstrap.logging(level: settings.logLevel)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[TraceTailAPI.latencyHistogram.label] = TraceTailAPI.latencyHistogram.buckets
        MetricsSystem.bootstrap(factory)
        if let url = settings.fleetStoreURL {
            return try await QueryNode(settings: settings, url: url, registry: registry, logger: logger).run()
        }
        let files: [String]
        do {
            files = try DirectoryTailer.logFiles(settings.tailer)
        } catch {
            throw CLIError("cannot read the log directory \(settings.logsDirectory) (logs.directory, --logs): \(error)")
        }
        // A port that is taken ends the process before anything is read or stored.
        try ListenAddress.checkFree(host: settings.listenHost, port: settings.listenPort)
        // Queries run below ingest's priority (`http.query_nice`): QueryExecutor says why.
        let queries = QueryExecutor(niceness: settings.queryNiceness)
        let store = try Bootstrap.openStore(settings, access: .write, logger: logger, queries: queries)
        let status = TailerStatus()
        let tailer = TailerService(configuration: settings.tailer, store: store, logger: logger, status: status)
        let pruner = PrunerService(
            store: store, policy: settings.retention, intervalMillis: settings.pruneInterval, logger: logger, ships: settings.shipURL != nil)
        let shipping = try settings.shipURL.map { url in
            try ShippingService(url: url, hostName: settings.hostName, replaceStore: settings.replaceStore, source: store, logger: logger)
        }
        let dependencies = APIDependencies(
            store: store, parser: settings.parser,
            readiness: { shipping?.readiness(status.readiness) ?? status.readiness },
            tailerStats: { [("followed_files", Int64(status.followedFiles))] + (shipping?.figures ?? []) },
            textStats: { [("host", settings.hostName)] + (shipping?.texts ?? []) },
            metricsText: {
                var buffer = [UInt8]()
                registry.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self)
            },
            token: settings.token,
            rows: try Bootstrap.applicationRows(settings, logger: logger))
        let app = Bootstrap.httpApplication(dependencies, settings: settings, logger: logger) { address, connectionLimit in
            // One line that says where everything is.
            logger.notice("tracetail serving", metadata: [
                "address": "\(address)",
                "store": "\(settings.databasePath)",
                "logs": "\(settings.logsDirectory)",
                "files": "\(files.count)",
                "host": "\(settings.hostName)",
                "ship_to": "\(settings.shipURL.map(FleetDatabase.redacted) ?? "-")",
                "max_connections": "\(connectionLimit)",
                "correlate": "\(settings.correlateURL.map { (try? ConnectionURL($0))?.description ?? "?" } ?? "not configured")",
            ])
        }
        // Services stop in reverse order: the HTTP server first, then the pruner, then the tailer
        // (which commits what it has read). Any service that fails (the HTTP server cannot bind,
        // say) cancels the others and ends the process; the store closes once all have stopped.
        let group = ServiceGroup(
            configuration: .init(
                services: [tailer, pruner] + (shipping.map { [$0] } ?? []) + [app],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            try? store.close()
            throw ListenAddress.explain(error, host: settings.listenHost, port: settings.listenPort)
        }
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
    /// Whether this host ships to a fleet store: only then are records pruned before the fleet
    /// store acknowledged them worth a warning (a host that does not ship never has them
    /// acknowledged, and warned at every prune).
    var ships = false

    func run() async throws {
        let runs = Counter(label: "tracetail_prune_runs_total")
        let deleted = Counter(label: "tracetail_pruned_records_total")
        let unshipped = Counter(label: "tracetail_pruned_unshipped_records_total")
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let report = try await store.prune(policy, now: WallClock.nowMillis())
                if failing { logger.notice("prune works again") }
                failing = false
                runs.increment()
                deleted.increment(by: report.recordsDeleted)
                if ships, report.unshippedRecordsDropped > 0 {
                    unshipped.increment(by: report.unshippedRecordsDropped)
                    logger.warning("pruned records the fleet store had not acknowledged, to keep to the retention policy", metadata: [
                        "records": "\(report.unshippedRecordsDropped)",
                    ])
                }
                if report.recordsDeleted > 0 {
                    logger.info("pruned", metadata: [
                        "records": "\(report.recordsDeleted)", "partitions": "\(report.partitionsDropped)",
                        "blocks": "\(report.blocksDeleted)", "bytes_freed": "\(report.bytesFreed)",
                    ])
                }
            } catch {
                // Logged once until it works again; tried again at the next interval.
                if !failing { logger.error("prune failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(intervalMillis)) }
            } catch {
                break
            }
        }
    }
}
