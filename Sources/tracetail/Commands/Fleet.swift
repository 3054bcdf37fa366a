import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization
import TraceTailCore
import TraceTailHTTP
import TraceTailPostgres
import TraceTailStore
import TraceTailTailer

/// The shipper of `serve --ship-to` as a service, with the figures `/stats` and `/metrics` show:
/// the backlog (records, bytes, seconds behind) read from the store every second, what was
/// shipped, and the last error.
final class ShippingService: Service, Sendable {
    let shipper: Shipper
    let database: FleetDatabase
    let source: SQLiteLogStore
    let logger: Logger
    private let backlog = Mutex(ShippingBacklog())

    init(url: String, hostName: String, replaceStore: String?, source: SQLiteLogStore, logger: Logger) throws {
        database = try FleetDatabase(url: url, logger: logger, maximumConnections: 2)
        var options = Shipper.Options(hostName: hostName)
        options.replaceStore = replaceStore
        shipper = Shipper(source: source, database: database, options: options, logger: logger)
        self.source = source
        self.logger = logger
    }

    /// Integer figures for `/stats`.
    var figures: [(String, Int64)] {
        let lag = backlog.withLock { $0 }
        let status = shipper.status
        return [
            ("ship_lag_records", lag.records), ("ship_lag_bytes", lag.bytes), ("ship_lag_seconds", Self.seconds(lag)),
            ("shipped_records", status.shippedRecords), ("shipped_blocks", status.shippedBlocks),
            ("ship_failures", status.failures), ("ship_refused", status.refused == nil ? 0 : 1),
        ]
    }

    /// `/readyz`: not ready while the fleet store refuses this host name and store (the tailer
    /// goes on storing locally, but nothing ships until someone acts); the full reason is in
    /// `/stats` (`ship_last_error`) and the log. A fleet store that cannot be reached does not
    /// make the host unready (it stores and answers locally, and ships what waits once the fleet
    /// store is back), but `/readyz` says so: `ship_connected` 0 (shown once a round has ended),
    /// with the records waiting.
    func readiness(_ tailer: Readiness) -> Readiness {
        let status = shipper.status
        let lag = backlog.withLock { $0 }
        var figures = tailer.figures
        // Once a round has ended: before, "not connected" would say nothing but that it is early.
        if status.connected || status.failures > 0 { figures.append(("ship_connected", status.connected ? 1 : 0)) }
        figures += [("ship_failures", status.failures), ("ship_lag_records", lag.records)]
        guard status.refused != nil else { return Readiness(ready: tailer.ready, reason: tailer.reason, figures: figures) }
        let reason = "shipping refused: the host name is held by another local store (see ship_last_error in /stats)"
        return Readiness(ready: false, reason: tailer.ready ? reason : (tailer.reason.map { $0 + ", " } ?? "") + reason, figures: figures)
    }

    /// Text figures for `/stats`.
    var texts: [(String, String?)] {
        let status = shipper.status
        return [("ship_to", database.url), ("ship_last_error", status.lastError),
                ("ship_last_shipped", status.lastShippedAt.map(Timestamp.rfc3339))]
    }

    private static func seconds(_ lag: ShippingBacklog) -> Int64 {
        guard let oldest = lag.oldestStoredAt, lag.records > 0 else { return 0 }
        return max(0, (WallClock.nowMillis() - oldest) / 1000)
    }

    func run() async throws {
        let lagRecords = Gauge(label: "tracetail_ship_lag_records")
        let lagBytes = Gauge(label: "tracetail_ship_lag_bytes")
        let lagSeconds = Gauge(label: "tracetail_ship_lag_seconds")
        let shipped = Gauge(label: "tracetail_shipped_records")
        let failures = Gauge(label: "tracetail_ship_failures")
        let connected = Gauge(label: "tracetail_ship_connected")
        let refused = Gauge(label: "tracetail_ship_refused")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.shipper.run() }
            group.addTask {
                while !Task.isCancelled {
                    if let lag = try? await self.source.shippingBacklog() {
                        self.backlog.withLock { $0 = lag }
                        lagRecords.record(lag.records)
                        lagBytes.record(lag.bytes)
                        lagSeconds.record(Self.seconds(lag))
                    }
                    let status = self.shipper.status
                    shipped.record(status.shippedRecords)
                    failures.record(status.failures)
                    connected.record(status.connected ? 1 : 0)
                    refused.record(status.refused == nil ? 0 : 1)
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            // Stops with the daemon: what was shipped is acknowledged, the rest ships at the next
            // start.
            try? await gracefulShutdown()
            group.cancelAll()
        }
        database.close()
    }
}

/// `serve --store postgres://...`: no log directory, the HTTP API over the fleet store, and the
/// fleet's retention (whole days dropped) on a schedule. Creates the schema at start.
struct QueryNode {
    let settings: Settings
    let url: String
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    func run() async throws {
        try ListenAddress.checkFree(host: settings.listenHost, port: settings.listenPort)
        let database: FleetDatabase
        do {
            database = try FleetDatabase(url: url, logger: logger)
        } catch {
            throw CLIError("\(error)")
        }
        defer { database.close() }
        // The database may come up after the query node: try for a minute.
        var attempt = 0
        while true {
            do {
                let applied = try await FleetSchema.migrate(database)
                if !applied.isEmpty {
                    logger.notice("fleet schema created", metadata: ["version": "\(FleetSchema.version)", "applied": "\(applied)"])
                }
                break
            } catch let error as FleetError {
                throw CLIError(error.description)
            } catch {
                attempt += 1
                guard attempt < 60 else {
                    throw CLIError("cannot set up the fleet store \(database.url): \(error.fleetDescription)")
                }
                if attempt == 1 {
                    logger.warning("fleet store not reachable yet; trying for a minute", metadata: ["error": "\(error.fleetDescription)"])
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
        let store = PostgresLogStore(database: database, logger: logger)
        let pruner = PrunerService(store: store, policy: settings.retention, intervalMillis: settings.pruneInterval, logger: logger)
        let registry = self.registry
        let dependencies = APIDependencies(
            store: store, parser: settings.parser,
            textStats: { [("fleet_store", database.url)] },
            metricsText: {
                var buffer = [UInt8]()
                registry.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self)
            },
            token: settings.token,
            // The application's rows, as a host's daemon reads them (--correlate was taken and
            // never used: every answer said "not configured").
            rows: try Bootstrap.applicationRows(settings, logger: logger))
        let settings = self.settings
        let logger = self.logger
        let app = Bootstrap.httpApplication(dependencies, settings: settings, logger: logger) { address, connectionLimit in
            logger.notice("tracetail query node serving", metadata: [
                "address": "\(address)", "fleet": "\(database.url)", "max_connections": "\(connectionLimit)",
            ])
        }
        let group = ServiceGroup(
            configuration: .init(services: [pruner, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw ListenAddress.explain(error, host: settings.listenHost, port: settings.listenPort)
        }
    }
}
