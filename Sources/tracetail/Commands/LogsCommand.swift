import ArgumentParser
import TraceTailCore
import TraceTailQuery

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Prints the records of a trace, span, workflow or task, filtered like the API's logs endpoints.",
        discussion: "`tracetail logs <trace>` is `tracetail logs --trace <trace>`; `tracetail query` is another name for logs.",
        aliases: ["query"])

    @OptionGroup var common: CommonOptions
    @OptionGroup var id: IDOptions

    @Option(help: "Minimum level: trace, debug, info, warn, error, fatal.")
    var level: String?

    @Option(help: "Only these apps (repeat, or comma-separate).")
    var app: [String] = []

    @Option(help: "Only records of these hosts (repeat, or comma-separate); over a fleet store.")
    var host: [String] = []

    @Option(help: "From this time on: RFC 3339 or epoch milliseconds.")
    var since: String?

    @Option(help: "Up to this time: RFC 3339 or epoch milliseconds.")
    var until: String?

    @Option(name: .customLong("span-id"), help: "Only records of this span (with --trace, --workflow or --task).")
    var spanID: String?

    @Option(help: "Only records whose message holds this text (ASCII case-insensitive).")
    var grep: String?

    @Option(help: "At most this many records (1 to 10000).")
    var limit = LogsRequest.defaultLimit

    @Option(help: "Continue after this cursor (printed when a limit cut the list).")
    var cursor: String?

    @Flag(help: "Newest first.")
    var reverse = false

    @Flag(help: "Print the API's JSON instead of text.")
    var json = false

    @Flag(help: "Print each record's original text as it was written.")
    var raw = false

    @Flag(help: "Print the stack frames of records that carry an error.")
    var stack = false

    func run() async throws {
        let requested = try id.requested()
        var pairs: [(String, String)] = [("limit", String(limit))]
        if let level { pairs.append(("level", level)) }
        for app in app { pairs.append(("app", app)) }
        for host in host { pairs.append(("host", host)) }
        if let since { pairs.append(("since", since)) }
        if let until { pairs.append(("until", until)) }
        if let spanID { pairs.append(("span_id", spanID)) }
        if let grep { pairs.append(("q", grep)) }
        if let cursor { pairs.append(("cursor", cursor)) }
        if reverse { pairs.append(("order", "desc")) }
        let request = try CLIError.wrapping { try LogsRequest(id: requested, parameters: QueryParameters(pairs: pairs, repeatable: ["app", "host"])) }
        let reader = try await Reader(common)
        defer { reader.close() }
        let page = try await CLIError.wrapping { try await request.read(from: reader.store, presenter: reader.presenter) }
        var out = Output()
        defer { out.flush() }
        if json {
            out.line(bytes: LogsJSON.encode(idField: requested.kind.field, id: requested.canonical, page: page, presenter: reader.presenter))
            return
        }
        for stored in page.records {
            if raw {
                out.line(bytes: stored.record.raw)
            } else {
                for line in reader.renderer.lines(stored, stack: stack) { out.line(line) }
            }
        }
        if let next = page.next { out.line("... more records: add --cursor \(next.token)") }
        if let partial = TextRenderer.partialNote(unreadableBlocks: page.unreadableBlocks) { out.line(partial) }
    }
}
