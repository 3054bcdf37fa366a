import ArgumentParser
import Foundation
import TraceTailCore

/// Times the parser alone (assemble and parse, no store): every file given, several rounds, the
/// best of a few runs. Build with `swift build -c release`; compare two commits on the same files.
struct ParseBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Times RecordAssembler and RecordParser over log files (no store, no I/O in the timing).")

    @Argument(help: "Log files to cut and parse.")
    var files: [String]

    @Option(help: "Passes over all files per run.")
    var rounds = 20

    @Option(help: "Runs; the fastest is reported.")
    var runs = 7

    func run() throws {
        let inputs = try files.map { path -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
            return [UInt8](data)
        }
        let bytes = inputs.reduce(0) { $0 + $1.count }
        let parser = RecordParser()
        var records = 0
        var traced = 0
        var best = Duration.seconds(3600)
        let clock = ContinuousClock()
        for _ in 0..<runs {
            records = 0
            traced = 0
            let elapsed = clock.measure {
                for _ in 0..<rounds {
                    for input in inputs {
                        var assembler = RecordAssembler(offset: 0)
                        var out = assembler.append(input)
                        out += assembler.closePending()
                        for record in out where parser.parse(record: record, referenceTime: 1_795_988_183_000).traceID != nil { traced += 1 }
                        records += out.count
                    }
                }
            }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        print("files \(inputs.count), bytes \(bytes), records \(records / rounds) (traced \(traced / rounds)) per pass")
        print(String(format: "best of %d runs: %.1f ms per pass, %.0f ns per record, %.1f MB/s", runs, seconds * 1000 / Double(rounds),
                     seconds * 1e9 / Double(records), Double(bytes) * Double(rounds) / seconds / 1e6))
    }
}
