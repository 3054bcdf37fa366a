import Foundation

/// The benchmark's results: one row per figure, with its target and the baseline it is held to.
struct Report {
    struct Row {
        var figure: String
        var value: String
        var target: String
        var verdict: String
    }

    var rows: [Row] = []
    var notes: [String] = []
    var commands: [String] = []

    mutating func add(_ figure: String, _ value: String, target: String, met: Bool?) {
        rows.append(Row(figure: figure, value: value, target: target, verdict: met.map { $0 ? "met" : "MISSED" } ?? "-"))
        print("  \(figure): \(value)  [\(target)] \(met.map { $0 ? "met" : "MISSED" } ?? "")")
    }

    mutating func note(_ text: String) {
        notes.append(text)
        print(text)
    }

    var markdown: String {
        var out = "# Benchmarks\n\n"
        let formatter = ISO8601DateFormatter()
        out += "Run on \(formatter.string(from: Date())) with `swift build -c release && .build/release/tracetail-bench` "
        out += "(the figures below are written by that command; baselines ran in the same run, on the same files).\n\n"
        for note in notes { out += "- \(note)\n" }
        out += "\n| figure | measured | target | |\n| --- | --- | --- | --- |\n"
        for row in rows { out += "| \(row.figure) | \(row.value) | \(row.target) | \(row.verdict) |\n" }
        if !commands.isEmpty {
            out += "\nWhat ran:\n\n"
            for command in commands { out += "- `\(command)`\n" }
        }
        return out
    }
}

enum Machine {
    static func describe() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memKiB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }?
            .split(separator: " ").compactMap { Int($0) }.first ?? 0
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(model)), \(memKiB / 1024 / 1024) GiB, load average \(load) at start"
    }
}

enum Tools {
    /// gzip is required; ripgrep is installed from Debian's packages when missing.
    static func ensure(_ report: inout Report) throws {
        guard Subprocess.which("gzip") != nil else { throw BenchError("gzip is required") }
        guard Subprocess.which("wrk") != nil else { throw BenchError("wrk is required (Debian package wrk)") }
        if Subprocess.which("rg") == nil {
            print("ripgrep not found: installing it with apt-get (Debian package ripgrep)")
            let prefix = getuid() == 0 ? "" : "sudo "
            _ = try Subprocess.shell("\(prefix)apt-get update -qq && DEBIAN_FRONTEND=noninteractive \(prefix)apt-get install -y -qq ripgrep")
            guard Subprocess.which("rg") != nil else { throw BenchError("could not install ripgrep") }
            report.note("ripgrep was installed by the benchmark (apt-get install ripgrep)")
        }
        let gzip = (try? Subprocess.shell("gzip --version"))?.output.split(separator: "\n").first ?? ""
        let rg = (try? Subprocess.shell("rg --version"))?.output.split(separator: "\n").first ?? ""
        let wrk = (try? Subprocess.shell("wrk --version 2>&1"))?.output.split(separator: "\n").first ?? ""
        report.note("baselines: \(gzip), \(rg); load: \(wrk)")
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[index]
}

func format(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

func megabytes(_ bytes: Int64) -> String {
    format(Double(bytes) / 1_000_000) + " MB"
}
