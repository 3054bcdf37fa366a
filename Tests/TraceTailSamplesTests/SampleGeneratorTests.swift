import Foundation
import Testing
import TraceTailCore
@testable import TraceTailSamples

@Suite("SampleGenerator")
struct SampleGeneratorTests {
    @Test("the same seed gives the same bytes, another seed other bytes")
    func determinism() throws {
        func run(seed: UInt64) throws -> [SampleRecord] {
            var generator = try SampleGenerator(options: SampleOptions(records: 3000, seed: seed, rotatedCopy: true))
            var out: [SampleRecord] = []
            while let record = generator.next() { out.append(record) }
            return out
        }
        let first = try run(seed: 7)
        let second = try run(seed: 7)
        let other = try run(seed: 8)
        #expect(first.count == 3000)
        #expect(first == second)
        #expect(first != other)
    }

    @Test("the files written are PM2 log files by name: app, stream, cluster process, rotated copy")
    func fileNamesParse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manifest = try generate(SampleOptions(records: 3000, agents: 4, apiInstances: 2, rotatedCopy: true), into: directory)
        let names = try directory.fileNames()
        #expect(names == manifest.files.map(\.name).sorted())
        for file in manifest.files {
            let parsed = try #require(PM2FileName(file.name), "\(file.name) is not a PM2 file name")
            #expect(parsed.app == file.app)
            #expect(parsed.stream == (file.stream == "out" ? .out : .err))
            #expect(parsed.instance == file.instance)
            #expect(parsed.rotatedFrom == file.rotatedFrom)
        }
        #expect(names.contains("orchestrator-out.log"))
        #expect(names.contains("orchestrator-error.log"))
        #expect(names.contains("api-out-5.log") && names.contains("api-out-6.log") && names.contains("api-error-6.log"))
        #expect(names.filter { $0.hasPrefix("agent-") && $0.hasSuffix("-out.log") }.count == 4)
        let rotated = try #require(manifest.files.first { $0.rotatedFrom != nil })
        #expect(rotated.name.wholeMatch(of: /orchestrator-out__\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.log/) != nil)
        #expect(rotated.records > 0)
    }

    @Test("pino format: every line is a pino record and the manifest counts what the lines say")
    func pinoManifestMatchesFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manifest = try generate(SampleOptions(records: 20000, format: .pino, seed: 3), into: directory)
        var perTrace: [String: Int] = [:]
        var perTraceFiles: [String: Set<String>] = [:]
        var total = 0
        var bytes = 0
        for file in manifest.files {
            let data = try directory.bytes(of: file.name)
            bytes += data.count
            #expect(Int64(data.count) == file.bytes, "bytes of \(file.name)")
            let fileLines = lines(of: data)
            #expect(fileLines.count == file.records, "records of \(file.name)")
            var traced = 0
            for line in fileLines {
                #expect(line.starts(with: #"{"level":"#.utf8) && line.last == UInt8(ascii: "}"))
                if let id = traceID(in: Array(line)) {
                    perTrace[id, default: 0] += 1
                    perTraceFiles[id, default: []].insert(file.name)
                    traced += 1
                }
            }
            #expect(traced == file.tracedRecords, "traced records of \(file.name)")
            total += fileLines.count
        }
        #expect(total == 20000)
        #expect(manifest.totals.records == 20000)
        #expect(Int64(bytes) == manifest.totals.bytes)
        #expect(perTrace.count == manifest.traces.count)
        for trace in manifest.traces {
            #expect(perTrace[trace.traceID] == trace.records, "records of trace \(trace.traceID)")
            #expect(perTraceFiles[trace.traceID] == Set(trace.files), "files of trace \(trace.traceID)")
            #expect((10...50).contains(trace.records))
        }
        // About 250 bytes a line, as the benchmark wants.
        let mean = Double(manifest.totals.bytes) / Double(manifest.totals.records)
        #expect((200...320).contains(mean), "mean line length \(mean)")
    }

    @Test("mixed format: cut into records as the daemon does, files and traces hold what the manifest says")
    func mixedManifestMatchesRecords() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manifest = try generate(SampleOptions(records: 12000, seed: 11, rotatedCopy: true), into: directory)
        var perTrace: [String: Int] = [:]
        for file in manifest.files {
            let cut = records(of: try directory.bytes(of: file.name))
            #expect(cut.count == file.records, "records of \(file.name)")
            var traced = 0
            for record in cut {
                if let id = traceID(in: record) {
                    perTrace[id, default: 0] += 1
                    traced += 1
                }
            }
            #expect(traced == file.tracedRecords, "traced records of \(file.name)")
        }
        #expect(perTrace.count == manifest.traces.count)
        for trace in manifest.traces {
            #expect(perTrace[trace.traceID] == trace.records, "records of trace \(trace.traceID)")
        }
        // Every shape of FORMATS.md is there.
        for shape in RecordShape.allCases {
            #expect((manifest.shapes[shape.name] ?? 0) > 0, "no \(shape.name) records")
        }
    }

    @Test("a trace crosses the api, the orchestrator and agents; failed ones reach -error files")
    func tracesSpanApps() throws {
        var generator = try SampleGenerator(options: SampleOptions(records: 5000, seed: 5))
        while generator.next() != nil {}
        let manifest = generator.manifest()
        #expect(manifest.traces.count > 50)
        for trace in manifest.traces {
            #expect(trace.apps.contains("api") && trace.apps.contains("orchestrator"))
            #expect(trace.apps.contains { $0.hasPrefix("agent-") })
        }
        let failed = manifest.traces.filter { $0.errors > 0 }
        #expect(!failed.isEmpty)
        for trace in failed {
            #expect(trace.files.contains { $0.contains("-error") }, "\(trace.traceID) has errors but no -error file")
        }
        #expect(manifest.traces.contains { $0.apps.filter { $0.hasPrefix("agent-") }.count >= 2 })
    }

    @Test("trace ids are spelled with dashes, as 32 hex and in upper case, and all normalise to one id")
    func idSpellings() throws {
        var generator = try SampleGenerator(options: SampleOptions(records: 4000, format: .pino, seed: 9))
        var spellings: [String: Set<String>] = [:]
        while let record = generator.next() {
            let text = String(decoding: record.bytes, as: UTF8.self)
            guard let range = text.range(of: "\"trace_id\":\"") else { continue }
            let raw = String(text[range.upperBound...].prefix { $0 != "\"" })
            let canonical = try #require(TraceID(raw)?.canonical)
            #expect(record.info.trace.map { HexID.format($0.high) + HexID.format($0.low) } == canonical)
            spellings[canonical, default: []].insert(raw)
        }
        let all = spellings.values.flatMap { $0 }
        #expect(all.contains { $0.count == 36 && $0 == $0.lowercased() })
        #expect(all.contains { $0.count == 32 && $0 == $0.lowercased() })
        #expect(all.contains { $0 == $0.uppercased() && $0.contains { $0.isLetter } })
        #expect(spellings.values.contains { $0.count >= 3 })
    }

    @Test("--days spreads the records over the days, in time order within every file")
    func daysSpreadTimes() throws {
        var options = SampleOptions(records: 14000, format: .pino, seed: 2)
        options.spread(days: 7)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manifest = try generate(options, into: directory)
        let span = Double(manifest.endTime - manifest.startTime) / 86_400_000
        #expect(span > 6.8 && span <= 7.2, "span \(span) days")
        var days = Set<Int64>()
        for file in manifest.files {
            var previous: Int64 = 0
            for line in lines(of: try directory.bytes(of: file.name)) {
                let text = String(decoding: line, as: UTF8.self)
                let time = try #require(Int64(text.split(separator: ",")[1].dropFirst("\"time\":".count)))
                #expect(time >= previous)
                previous = time
                days.insert((time - options.start) / 86_400_000)
            }
        }
        #expect(days == Set(0..<7))
    }

    @Test("the rotated copy holds the orchestrator's records before the rotation, the live file those after")
    func rotatedCopyHoldsEarlierRecords() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manifest = try generate(SampleOptions(records: 6000, format: .pino, rotatedCopy: true), into: directory)
        let copy = try #require(manifest.files.first { $0.rotatedFrom == "orchestrator-out.log" })
        let live = try #require(manifest.files.first { $0.name == "orchestrator-out.log" })
        let stamp = String(copy.name.dropFirst("orchestrator-out__".count).dropLast(".log".count))
        let parts = stamp.split(separator: "_")
        let rotation = try #require(CivilTime.parse("\(parts[0])T\(parts[1].replacingOccurrences(of: "-", with: ":"))"))
        #expect(try #require(copy.lastTime) < rotation)
        #expect(try #require(live.firstTime) >= rotation)
        #expect(copy.records > 100 && live.records > copy.records)
        #expect(manifest.traces.contains { $0.files.contains(copy.name) && $0.files.contains(live.name) })
    }

    @Test("live mode: records carry the given times and land in the files at once")
    func liveAppend() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var generator = try SampleGenerator(options: SampleOptions(records: nil, seed: 4))
        let writer = try SampleDirectoryWriter(directory: directory.path, files: generator.layout.files, append: true)
        let now: Int64 = 1_795_000_000_000
        var sizes: [String: Int] = [:]
        for i in 0..<500 {
            let next = generator.next(at: now + Int64(i))
            let record = try #require(next)
            #expect(record.info.time == now + Int64(i))
            try writer.append(record.bytes, toFile: record.info.file, flush: true)
            sizes[record.fileName, default: 0] += record.bytes.count
            // Written through: the file already holds the record.
            #expect(try directory.bytes(of: record.fileName).count == sizes[record.fileName])
        }
        #expect(!generator.isFinished)
        #expect(generator.manifest().totals.records == 500)
        try writer.close()
    }

    @Test("the manifest's JSON, streamed or not, reads back as the same manifest")
    func manifestRoundTrip() throws {
        var generator = try SampleGenerator(options: SampleOptions(records: 3000, rotatedCopy: true))
        while generator.next() != nil {}
        let manifest = generator.manifest()
        let decoded = try JSONDecoder().decode(SampleManifest.self, from: Data(manifest.jsonBytes()))
        #expect(decoded == manifest)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try generator.writeManifest(to: directory.path + "/manifest.json")
        #expect(try directory.bytes(of: "manifest.json") == manifest.jsonBytes())
        #expect(decoded.totals.records == 3000)
        #expect(decoded.traces.allSatisfy { $0.traceID.count == 32 && $0.traceID == $0.traceID.lowercased() })
    }
}

@Suite("Committed samples")
struct CommittedSamplesTests {
    /// `samples/` at the top of the package.
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples").path

    @Test("samples/pm2-logs is exactly what the README's command writes, and its manifest says so")
    func samplesAreReproducible() throws {
        var generator = try SampleGenerator(options: SampleOptions(records: 2000, rotatedCopy: true))
        var expected: [String: [UInt8]] = [:]
        for file in generator.layout.files { expected[file.name] = [] }
        while let record = generator.next() { expected[record.fileName]!.append(contentsOf: record.bytes) }
        let directory = Self.samples + "/pm2-logs"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == expected.keys.sorted())
        for (name, bytes) in expected {
            let written = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            #expect(written == bytes, "\(name) differs from what the generator writes")
        }
        let manifest = try JSONDecoder().decode(SampleManifest.self, from: Data(contentsOf: URL(fileURLWithPath: Self.samples + "/pm2-logs.manifest.json")))
        #expect(manifest == generator.manifest())
        // The quick tour's traces (samples/README.md).
        #expect(manifest.trace("3ca0b7496380463a9e52a8780c3703e3")?.records == 25)
        #expect(manifest.trace("3ca0b7496380463a9e52a8780c3703e3")?.errors == 3)
        #expect(manifest.trace("116190085d554617926a1769e7549c0d")?.records == 44)
        #expect(manifest.trace("0bc01cc957644bd9b988ffcbe98068f5")?.records == 31)
    }
}
