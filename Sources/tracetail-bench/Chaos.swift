import ArgumentParser
import Foundation

/// Writers append uniquely numbered records to PM2-style files at full speed while the daemon is
/// killed with SIGKILL at random moments, files are rotated the pm2-logrotate way and by rename,
/// one is truncated (`pm2 flush`), and one is deleted and recreated. At the end every record
/// written must be in the store exactly once.
struct Chaos: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Kills the daemon at random while files are written, rotated, truncated and deleted; checks exactly-once.")

    @Option(help: "SIGKILLs of the daemon.")
    var kills = 20

    @Option(help: "Records per second, across all writers.")
    var rate = 20_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Working directory (removed at the end unless --keep).")
    var work = "/tmp/tracetail-chaos"

    @Flag(help: "Keep the working directory.")
    var keep = false

    @Option(help: "Also write the result as JSON to this file (for tests).")
    var resultFile: String?

    func run() throws {
        let tracetail = try siblingExecutable("tracetail")
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work + "/logs", withIntermediateDirectories: true)
        try createFile(work + "/empty.yaml")
        var scenario = ChaosScenario(tracetail: tracetail, work: work, rate: rate, seed: seed)
        scenario.keepLogs = keep
        let result = try scenario.run(kills: kills)
        print(result.summary)
        if let resultFile { try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: resultFile)) }
        if !keep { try? FileManager.default.removeItem(atPath: work) }
        if !result.passed { throw ExitCode(1) }
    }
}

struct ChaosResult: Codable {
    var written = 0
    var stored = 0
    var missing = 0
    var duplicated = 0
    var kills = 0
    var events: [String] = []
    var integrity = "not checked"
    /// Per writer, the sequence numbers stored twice or never, as ranges (`a-b`), with the files
    /// and byte offsets the twice-stored ones were found at: what a failure needs to be traced.
    var details: [String] = []

    static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var start: Int?
        var last = 0
        for n in numbers.sorted() {
            if start != nil, n == last + 1 {
                last = n
                continue
            }
            if let first = start { parts.append(first == last ? "\(first)" : "\(first)-\(last)") }
            start = n
            last = n
        }
        if let first = start { parts.append(first == last ? "\(first)" : "\(first)-\(last)") }
        return parts.joined(separator: ",")
    }

    private enum CodingKeys: String, CodingKey { case written, stored, missing, duplicated, kills, events, integrity, details }

    var passed: Bool { missing == 0 && duplicated == 0 && written > 0 && (integrity == "ok" || integrity == "not checked") }

    var summary: String {
        """
        chaos: \(kills) SIGKILLs; \(events.joined(separator: ", "))
        written \(written), stored \(stored), missing \(missing), duplicated \(duplicated); integrity_check: \(integrity)\(details.map { "\n  " + $0 }.joined())
        \(passed ? "PASS: every record stored exactly once" : "FAIL")
        """
    }
}

/// One writer: its file, its trace id, how many records it has written.
struct ChaosWriter {
    var name: String
    var trace: String
    var written = 0
    var paused = false

    func line(_ n: Int) -> String {
        #"{"level":30,"time":\#(Int64(Date().timeIntervalSince1970 * 1000)),"trace_id":"\#(trace)","seq":\#(n),"msg":"\#(name) record \#(n)"}"# + "\n"
    }
}
