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
