import ArgumentParser
import Foundation
import TraceTailCore
import UnixSignals
import TraceTailQuery

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follows a trace (or span, workflow, task) live: prints its records, then new ones as they are stored, until interrupted.",
        discussion: "Polls the store every --interval (250ms); the daemon (tracetail serve) does the storing. SIGINT or SIGTERM stops it.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var id: IDOptions

    @Option(help: "How often to look for new records, in milliseconds.")
    var interval = 250

    @Flag(help: "Print each record's original text as it was written.")
    var raw = false

    func validate() throws {
        guard (10...60_000).contains(interval) else { throw ValidationError("--interval must be from 10 to 60000 ms") }
    }

    func run() async throws {
        let requested = try id.requested()
        let reader = try await Reader(common)
        defer { reader.close() }
        let store = reader.store
        let renderer = reader.renderer
        let interval = interval
        let raw = raw
        let follow = Task {
            var follower = TraceFollower(key: requested.key)
            while !Task.isCancelled {
                let page: RecordPage
                do {
                    page = try await store.records(follower.query)
                } catch {
                    if Task.isCancelled { return }
                    throw error
                }
                var out = Output()
                for stored in follower.accept(page) {
                    if raw { out.line(bytes: stored.record.raw) } else { out.line(renderer.line(stored)) }
                }
                out.flush()
                if follower.isCaughtUp { try? await Task.sleep(for: .milliseconds(interval)) }
            }
        }
        // SIGINT/SIGTERM end the loop; the store is closed on the way out.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let stopper = Task {
            for await _ in signals {
                follow.cancel()
                break
            }
        }
        defer { stopper.cancel() }
        try await follow.value
    }
}
