import ArgumentParser
import Foundation
import Logging
import TraceTailCore
import TraceTailPostgres
import TraceTailStore
import TraceTailQuery

/// What reading commands share: the settings, the store (a SQLite file, or a fleet store when
/// `--store` is a postgres:// URL), output.
struct Reader {
    let settings: Settings
    let opened: OpenedStore
    let presenter: RecordPresenter
    let renderer: TextRenderer

    var store: any LogStore { opened.store }

    init(_ common: CommonOptions, extra: [String: String] = [:]) async throws {
        settings = try await common.settings(extra: extra)
        let logger = Bootstrap.logging(level: settings.logLevel)
        opened = try await OpenedStore.open(settings, logger: logger)
        presenter = RecordPresenter(parser: settings.parser)
        var renderer = TextRenderer(presenter: presenter, colour: Terminal.colours)
        if case .fleet = opened { renderer.showsHosts = true }
        self.renderer = renderer
    }

    func close() {
        opened.close()
    }

    /// Prints a summary's lines (the JSON answer instead with `json`), a trace's span tree, then
    /// up to `limit` records of `key`, saying how to go on when the limit cut them: what `trace`,
    /// `workflow` and `task` print.
    func printSummary(
        json: Bool, encoded: () -> [UInt8], summary: [String], trace: TraceOverview?, records key: IDKey, limit: Int,
        more: (RecordCursor) -> String
    ) async throws {
        var out = Output()
        defer { out.flush() }
        if json {
            out.line(bytes: encoded())
            return
        }
        for line in summary { out.line(line) }
        if let trace {
            for line in renderer.overview(trace) { out.line(line) }
        }
        guard limit > 0 else { return }
        let page = try await store.records(RecordQuery(key: key, limit: limit))
        out.line("")
        for stored in page.records {
            for line in renderer.lines(stored, stack: true) { out.line(line) }
        }
        if let next = page.next { out.line(more(next)) }
    }
}

/// `--limit` of the commands that print a summary, then records.
struct SummaryRecordsOption: ParsableArguments {
    @Option(help: "Print at most this many records after the tree (0: none).")
    var limit = 1_000

    func validate() throws {
        guard limit >= 0, limit <= LogsRequest.maximumLimit else {
            throw ValidationError("--limit must be from 0 to \(LogsRequest.maximumLimit)")
        }
    }
}

/// A store opened for reading: the host's SQLite file, or the fleet's PostgreSQL database.
enum OpenedStore {
    case local(SQLiteLogStore)
    case fleet(PostgresLogStore)

    var store: any LogStore {
        switch self {
        case .local(let store): store
        case .fleet(let store): store
        }
    }

    static func open(_ settings: Settings, logger: Logger) async throws -> OpenedStore {
        guard let url = settings.fleetStoreURL else {
            return .local(try Bootstrap.openStore(settings, access: .read, logger: logger))
        }
        let database: FleetDatabase
        do {
            database = try FleetDatabase(url: url, logger: logger, maximumConnections: 2)
        } catch {
            throw CLIError("\(error)")
        }
        let version: Int
        do {
            version = try await FleetSchema.installedVersion(database)
        } catch {
            database.close()
            throw CLIError("cannot reach the fleet store \(FleetDatabase.redacted(url)): \(error.fleetDescription)")
        }
        guard version == FleetSchema.version else {
            database.close()
            throw CLIError("the fleet store \(FleetDatabase.redacted(url)) has schema version \(version), this build reads \(FleetSchema.version) (tracetail pg init creates it)")
        }
        return .fleet(PostgresLogStore(database: database, logger: logger))
    }

    func close() {
        switch self {
        case .local(let store): try? store.close()
        case .fleet(let store): store.close()
        }
    }
}
