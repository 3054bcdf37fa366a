import ArgumentParser
import Foundation
import TraceTailCore

@main
struct BenchTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracetail-bench",
        abstract: "Benchmarks and chaos tests of the tracetail binary beside it.",
        subcommands: [Benchmark.self, Chaos.self, ParseBenchmark.self, LookupBenchmark.self, FleetBenchmark.self],
        defaultSubcommand: Benchmark.self)
}

/// Where the release (or debug) binaries are: beside this one.
func siblingExecutable(_ name: String) throws -> String {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    let path = bin + "/" + name
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw BenchError("\(path) not found: build first (`swift build -c release`)")
    }
    return path
}

struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Measures tracetail against gzip and ripgrep on the same generated files, and writes docs/benchmarks.md.",
        discussion: """
            Run from the repository root after `swift build -c release` (it uses the tracetail and \
            tracetail-gen binaries beside it). Installs ripgrep with apt-get when it is missing.
            """)

    @Option(help: "Records for the ingest, size, memory and load figures (default 10M; 100M with --scale).")
    var records: Int?

    @Flag(help: "The scale run: 100M records unless --records says otherwise (about 28 GB of logs, generated in the working directory and removed), with the ingest rate held to a 1M-record run's.")
    var scale = false

    @Option(help: "Records of the orchestrator-style data set (five ids per record) for its size and speed figures; 0 skips it.")
    var orchestratorRecords = 1_000_000

    @Option(help: "25-record traces looked up one at a time for the CPU-per-lookup figure.")
    var cpuLookups = 2000

    @Option(help: "Seconds of each wrk run (64 clients alone, then with the writer); 0 skips both.")
    var loadSeconds = 20

    @Option(help: "Records/s of the writer during the second wrk run.")
    var writerRate = 100_000

    @Option(help: "Random traces looked up over HTTP.")
    var lookups = 500

    @Option(help: "Records appended live for the freshness figure.")
    var freshnessSamples = 100

    @Option(help: "Records spread over seven days for the prune figure.")
    var pruneRecords = 1_400_000

    @Option(help: "Working directory (data is generated here and removed at the end).")
    var work = "/tmp/tracetail-bench"

    @Option(help: "Where to write the results table (empty: do not write).")
    var output = "docs/benchmarks.md"

    @Flag(help: "Keep the generated data.")
    var keep = false

    func run() throws {
        let tracetail = try siblingExecutable("tracetail")
        let generator = try siblingExecutable("tracetail-gen")
        var report = Report()
        report.note("machine: \(Machine.describe())")
        try Tools.ensure(&report)
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }

        let run = try BenchRun(tracetail: tracetail, generator: generator, work: work, report: report)
        try run.all(BenchRun.Plan(
            records: records ?? (scale ? 100_000_000 : 10_000_000), lookups: lookups, freshness: freshnessSamples, pruneRecords: pruneRecords,
            orchestratorRecords: orchestratorRecords, cpuLookups: cpuLookups, loadSeconds: loadSeconds, writerRate: writerRate, scale: scale))
        report = run.report
        print(report.markdown)
        if !output.isEmpty {
            try report.markdown.write(toFile: output, atomically: true, encoding: .utf8)
            print("written to \(output)")
        }
    }
}
