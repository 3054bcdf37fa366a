import ArgumentParser
import TraceTailCore
import TraceTailQuery

/// `tracetail query <trace>`: the records of one trace as `tracetail logs --trace` prints them
/// (same columns, colours and `--json`), in one answer of up to `--limit` records.
struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints a trace's records in time order (as logs --trace does, without paging).")

    @OptionGroup var common: CommonOptions

    @Argument(help: "The trace id: a UUID, 32 hex characters, or an opaque id.")
    var traceID: String

    @Flag(help: "Print the API's JSON instead of text.")
    var json = false

    @Flag(help: "Print the stack frames of records that carry an error.")
    var stack = false

    @Option(help: "At most this many records.")
    var limit = 10_000

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let id = try CLIError.wrapping { try RequestedID(kind: .trace, text: traceID) }
        let reader = try await Reader(common)
        defer { reader.close() }
        let page = try await reader.store.records(RecordQuery(key: id.key, limit: limit))
        var out = Output()
        defer { out.flush() }
        if json {
            out.line(bytes: LogsJSON.encode(idField: "trace_id", id: id.canonical, page: page, presenter: reader.presenter))
            return
        }
        guard !page.records.isEmpty else {
            throw CLIError("no records for trace id '\(id.canonical)' in \(reader.settings.databasePath)")
        }
        for stored in page.records {
            for line in reader.renderer.lines(stored, stack: stack) { out.line(line) }
        }
        if page.truncated { out.line("... more records; raise --limit") }
        if let partial = TextRenderer.partialNote(unreadableBlocks: page.unreadableBlocks) { out.line(partial) }
    }
}
