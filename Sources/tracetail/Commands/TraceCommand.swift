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

    @OptionGroup var records: SummaryRecordsOption

    func run() async throws {
        let id = try CLIError.wrapping { try RequestedID(kind: .trace, text: traceID) }
        let reader = try await Reader(common)
        defer { reader.close() }
        let overview = try await CLIError.wrapping { try await TraceOverviewReader(store: reader.store).overview(of: id) }
        try await reader.printSummary(
            json: json, encoded: { TraceOverviewJSON.encode(overview) }, summary: [], trace: overview, records: id.key,
            limit: records.limit, more: { "... more records: tracetail logs --trace \(id.canonical) --cursor \($0.token)" })
    }
}
