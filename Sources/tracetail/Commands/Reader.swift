import Foundation
import TraceTailHTTP
import TraceTailStore

/// What reading commands share: the settings, the store opened on an existing database, output.
struct Reader {
    let settings: Settings
    let store: SQLiteLogStore
    let presenter: RecordPresenter
    let renderer: TextRenderer

    init(_ common: CommonOptions) throws {
        settings = try common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            throw CLIError("no database at \(settings.databasePath) (store.path, --db); run tracetail serve or ingest first")
        }
        store = try Bootstrap.openStore(settings, logger: logger)
        presenter = RecordPresenter(parser: settings.parser)
        renderer = TextRenderer(presenter: presenter, colour: Terminal.colours)
    }
}
