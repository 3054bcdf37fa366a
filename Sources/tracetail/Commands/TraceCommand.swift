import ArgumentParser
import TraceTailCore
import TraceTailQuery

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Shows a trace's summary as a span tree, then its records.",
        discussion: "Coloured when standard output is a terminal (NO_COLOR turns it off). --json prints the answer of GET /traces/{id}.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "The trace id: a UUID, 32 hex characters, or an opaque id.")
    var traceID: String

    @Flag(help: "Print the API's JSON summary (GET /traces/{id}) instead of text.")
    var json = false

    @Option(help: "Print at most this many records after the tree (0: none).")
    var limit = 1_000

    func validate() throws {
        guard limit >= 0, limit <= LogsRequest.maximumLimit else { throw ValidationError("--limit must be from 0 to \(LogsRequest.maximumLimit)") }
    }

    func run() async throws {
        let id = try CLIError.wrapping { try RequestedID(kind: .trace, text: traceID) }
        let reader = try await Reader(common)
        defer { reader.close() }
        let overview = try await CLIError.wrapping { try await TraceOverviewReader(store: reader.store).overview(of: id) }
        var out = Output()
        defer { out.flush() }
        if json {
            out.line(bytes: TraceOverviewJSON.encode(overview))
            return
        }
        for line in reader.renderer.overview(overview) { out.line(line) }
        guard limit > 0 else { return }
        let page = try await reader.store.records(RecordQuery(key: id.key, limit: limit))
        out.line("")
        for stored in page.records {
            for line in reader.renderer.lines(stored, stack: true) { out.line(line) }
        }
        if let next = page.next {
            out.line("... more records: tracetail logs --trace \(id.canonical) --cursor \(next.token)")
        }
    }
}
