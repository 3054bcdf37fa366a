import ArgumentParser
import Foundation
import TraceTailCore
import TraceTailHTTP

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints a trace's records from the store in time order.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "The trace id: a UUID, 32 hex characters, or an opaque id.")
    var traceID: String

    @Flag(help: "Print the API's JSON instead of text.")
    var json = false

    @Option(help: "At most this many records.")
    var limit = 10_000

    func run() async throws {
        let settings = try common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        guard let id = TraceID(traceID) else {
            throw ValidationError("malformed trace id '\(traceID)': expected a UUID, 32 hex characters, or a printable opaque id")
        }
        let store = try Bootstrap.openStore(settings, logger: logger)
        let page = try await store.records(RecordQuery(key: id.key, limit: limit))
        try store.close()
        let presenter = RecordPresenter(parser: settings.parser)
        if json {
            print(String(decoding: LogsJSON.encode(idField: "trace_id", id: id.canonical, page: page, presenter: presenter), as: UTF8.self))
            return
        }
        guard !page.records.isEmpty else {
            throw ValidationError("no records for trace id '\(id.canonical)' in \(settings.databasePath)")
        }
        for stored in page.records { print(presenter.text(stored)) }
        if page.truncated { print("... more records; raise --limit") }
    }
}
