import Foundation
import TraceTailStore
import TraceTailQuery

/// What reading commands share: the settings, the store opened on an existing database, output.
struct Reader {
    let settings: Settings
    let store: SQLiteLogStore
    let presenter: RecordPresenter
    let renderer: TextRenderer

    init(_ common: CommonOptions, extra: [String: String] = [:]) async throws {
        settings = try await common.settings(extra: extra)
        let logger = Bootstrap.logging(level: settings.logLevel)
        store = try Bootstrap.openStore(settings, access: .read, logger: logger)
        presenter = RecordPresenter(parser: settings.parser)
        renderer = TextRenderer(presenter: presenter, colour: Terminal.colours)
    }
}
