import ArgumentParser
import TraceTailCore
import TraceTailQuery

/// `tracetail coverage`: the answer of `GET /coverage`, as a table.
struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Shows, per app and stream, how many records carry a trace id and how many name a workflow or task without one.")

    @OptionGroup var common: CommonOptions

    @Option(help: "From this time on: RFC 3339 or epoch milliseconds.")
    var since: String?

    @Option(help: "Up to this time: RFC 3339 or epoch milliseconds.")
    var until: String?

    @Option(help: "Only these apps (repeat, or comma-separate).")
    var app: [String] = []

    @Flag(help: "Print the API's JSON instead of a table.")
    var json = false

    func run() async throws {
        var pairs: [(String, String)] = []
        if let since { pairs.append(("since", since)) }
        if let until { pairs.append(("until", until)) }
        for app in app { pairs.append(("app", app)) }
        let request = try CLIError.wrapping { try CoverageRequest(parameters: QueryParameters(pairs: pairs, repeatable: ["app"])) }
        let reader = try await Reader(common)
        defer { reader.close() }
        let coverage = try await reader.store.coverage(request.query)
        var out = Output()
        defer { out.flush() }
        if json {
            out.line(bytes: CoverageJSON.encode(coverage, query: request.query))
            return
        }
        out.line("app                    stream   records  with trace id  workflow/task, no trace  traced")
        for row in coverage.rows {
            let share = String(Int((row.share * 100).rounded())) + " %"
            out.line(
                row.app.padding(22) + " " + (row.stream == .err ? "err" : "out").padding(6)
                    + String(row.records).leftPadded(10) + String(row.traced).leftPadded(15)
                    + String(row.untracedWithBusinessID).leftPadded(25) + share.leftPadded(8))
        }
        let lost = CoverageJSON.lostContext(coverage)
        out.line(lost.isEmpty ? "no app lost trace context" : "lost trace context first: " + lost.joined(separator: ", "))
        if coverage.unreadableBlocks > 0 { out.line("(\(coverage.unreadableBlocks) damaged blocks skipped)") }
    }
}
