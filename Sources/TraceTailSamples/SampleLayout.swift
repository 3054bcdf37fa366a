/// How one process writes its lines (FORMATS.md): a mixed directory gives every app its own style,
/// as real projects do.
package enum ProcessStyle: Sendable, Equatable {
    /// pino JSON; `camelCase`/`ctx`-nested id keys when `camelKeys` (the api).
    case pino(camelKeys: Bool)
    /// pino JSON, with some `console.log('🔍 [WORKFLOW-TRACE] ...', ctx)` lines (util.inspect).
    case pinoAndInspect
    /// pino-pretty blocks (`translateTime: 'SYS:standard'`, no colours), some inspect lines.
    case pretty
    /// pino JSON under PM2 `--time`: every line `YYYY-MM-DDTHH:mm:ss: ` prefixed.
    case timePrefixed
    /// logfmt lines.
    case logfmt
}

/// One PM2 process: an app, its pm_id in a cluster, its pid and its style.
package struct SampleProcess: Sendable, Equatable {
    package enum Role: Sendable, Equatable {
        case api
        case orchestrator
        case agent(Int)
    }

    package var app: String
    /// The PM2 process id of a cluster process (`api-out-5.log`), nil for fork mode.
    package var instance: Int?
    package var pid: Int
    package var role: Role
    package var style: ProcessStyle
    /// Where its code lives, for stack frames.
    package var sourceDirectory: String

    var appBytes: [UInt8] { Array(app.utf8) }
}

/// One file the generator writes.
package struct SampleFile: Sendable, Equatable {
    package var name: String
    package var app: String
    package var stream: LogStreamName
    package var instance: Int?
    /// Index of the process writing it.
    package var process: Int
    /// For a rotated copy, the name of the live file.
    package var rotatedFrom: String?
}

package enum LogStreamName: String, Sendable, Equatable {
    case out
    case err
}

/// The processes and files of a generated directory.
package struct SampleLayout: Sendable {
    package static let agentNames = [
        "scaffold", "research", "review", "deploy", "test", "docs", "lint", "plan", "refactor", "security",
        "triage", "summarize", "translate", "index", "migrate", "billing", "notify", "search", "design",
        "qa", "release", "support", "ops", "data",
    ]

    package var processes: [SampleProcess] = []
    /// Files in a fixed order: for process `p`, `2p` is its `-out` file and `2p + 1` its `-error`
    /// file; rotated copies come after.
    package var files: [SampleFile] = []
    package var apiProcesses: [Int] = []
    package var orchestratorProcess = 0
    package var agentProcesses: [Int] = []

    package init(options: SampleOptions) {
        var random = SampleRandom(seed: options.seed ^ 0x5EED_1A70)
        func pid() -> Int { random.inRange(1200...64000) }
        // pm_ids in start order: orchestrator 0, agents 1...n, then the api cluster.
        processes.append(SampleProcess(
            app: "orchestrator", instance: nil, pid: pid(), role: .orchestrator,
            style: options.format == .pino ? .pino(camelKeys: false) : .pinoAndInspect,
            sourceDirectory: "/srv/orchestrator/dist"))
        for agent in 0..<options.agents {
            let name = agent < Self.agentNames.count ? Self.agentNames[agent] : "worker-\(agent)"
            let style: ProcessStyle
            if options.format == .pino {
                style = .pino(camelKeys: false)
            } else {
                switch agent % 4 {
                case 0: style = .pretty
                case 1: style = .timePrefixed
                case 2: style = .logfmt
                default: style = .pinoAndInspect
                }
            }
            agentProcesses.append(processes.count)
            processes.append(SampleProcess(
                app: "agent-\(name)", instance: nil, pid: pid(), role: .agent(agent), style: style,
                sourceDirectory: "/srv/agents/\(name)/dist"))
        }
        for i in 0..<options.apiInstances {
            apiProcesses.append(processes.count)
            processes.append(SampleProcess(
                app: "api", instance: options.agents + 1 + i, pid: pid(), role: .api,
                style: .pino(camelKeys: options.format != .pino), sourceDirectory: "/srv/api/dist"))
        }
        for (index, process) in processes.enumerated() {
            let suffix = process.instance.map { "-\($0)" } ?? ""
            files.append(SampleFile(name: "\(process.app)-out\(suffix).log", app: process.app, stream: .out, instance: process.instance, process: index))
            files.append(SampleFile(name: "\(process.app)-error\(suffix).log", app: process.app, stream: .err, instance: process.instance, process: index))
        }
    }

    /// Adds a pm2-logrotate copy of a live file, named for the moment of rotation.
    package mutating func addRotatedCopy(of fileIndex: Int, at time: Int64) -> Int {
        let live = files[fileIndex]
        var stamp: [UInt8] = []
        stamp.put(time: time, layout: .rotation)
        let suffix = live.instance.map { "-\($0)" } ?? ""
        let streamPart = live.stream == .out ? "out" : "error"
        let name = "\(live.app)-\(streamPart)\(suffix)__\(String(decoding: stamp, as: UTF8.self)).log"
        files.append(SampleFile(name: name, app: live.app, stream: live.stream, instance: live.instance, process: live.process, rotatedFrom: live.name))
        return files.count - 1
    }
}
