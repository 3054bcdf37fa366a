import Configuration
import Foundation
import SystemPackage
import TraceTailAppDatabase
import TraceTailCore
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer
import Yams

/// Every setting of tracetail, resolved from (lowest to highest) built-in defaults, the config
/// file, `TRACETAIL_...` environment variables and command-line flags.
///
/// Keys are dotted (`retention.max_age`); the environment variable for a key is `TRACETAIL_` and
/// the key in upper case with dots as underscores (`TRACETAIL_RETENTION_MAX_AGE`).
struct Settings {
    var logsDirectory: String
    var include: [String]
    var exclude: [String]
    var pollInterval: Int64
    var inotify: Bool
    var minPassInterval: Int64
    var groupIdle: Int64
    var maxRecordBytes: Int
    var localUTCOffsetSeconds: Int
    var databasePath: String
    var flushInterval: Int64
    var flushBytes: Int
    var blockBytes: Int
    var compressionLevel: Int32
    var listenHost: String
    var listenPort: Int
    var token: String?
    var httpServer: HTTPServerConfiguration
    var maxAge: Int64?
    var maxBytes: Int64?
    var pruneInterval: Int64
    var logLevel: String
    var ids: IDFieldOptions
    /// The fleet store to ship to (`ship.url`), if any.
    var shipURL: String?
    /// The name this host's records carry, here and in the fleet store (`ship.host_name`).
    var hostName: String
    /// The local store this one may take the host name over from in the fleet store
    /// (`ship.replace_store`), after a deliberate re-install.
    var replaceStore: String?
    /// How much lower the queries' CPU priority is than ingest's (`http.query_nice`).
    var queryNiceness: Int32
    /// The application's database for correlation (`correlate.url`); nil: answers from the logs alone.
    var correlateURL: String?
    var correlateTimeout: Int64
    var applicationSchema: ApplicationSchema

    /// Every key, its default and what it means (printed by `tracetail config`).
    static let keys: [(key: String, defaultValue: String, help: String)] = [
        ("logs.directory", "~/.pm2/logs", "the PM2 log directory to follow"),
        ("logs.include", "*.log,*.log.gz,*.log.[0-9]*", "file name patterns to follow (comma-separated in the environment)"),
        ("logs.exclude", "pm2.log,*.pid,*.pid.log", "file name patterns to leave alone"),
        ("logs.poll_interval", "250ms", "how often files are looked at when inotify is quiet or off"),
        ("logs.inotify", "true", "hear of changes through inotify (polling stays on as a fallback)"),
        ("logs.min_pass_interval", "50ms", "with inotify, passes over changed files start at most this often while they are written (larger reads, less CPU a record; 0: a pass on every change; at most 1s)"),
        ("logs.group_idle", "300ms", "a record whose continuation lines may still come is closed after this"),
        ("logs.max_record_bytes", "1MiB", "longest record kept; longer ones are cut and flagged truncated"),
        ("logs.timezone", "local", "zone of times written without one (PM2 --time prefixes): local, UTC or +HH:MM"),
        ("store.path", "data/tracetail.sqlite", "the SQLite database file, or a fleet store's postgres:// URL to read (a query node)"),
        ("store.flush_interval", "250ms", "records are committed at least this often, counted from the last commit that stored something (a record read after a quiet spell does not wait for it)"),
        ("store.flush_bytes", "1536KiB", "... or as soon as this much text is waiting"),
        ("store.block_bytes", "128KiB", "raw text per compressed block"),
        ("store.compression_level", "6", "deflate level of blocks (libdeflate), 1 to 9"),
        ("http.listen", "127.0.0.1:7433", "address and port of the HTTP API"),
        ("http.token", "", "bearer token required on every request; mandatory when listening beyond loopback"),
        ("http.max_connections", "512", "connections open at once (at most half the open-file limit); more are answered 503 and closed"),
        ("http.idle_timeout", "60s", "a connection without a request, or whose client reads nothing of its answer, is closed after this"),
        ("http.header_timeout", "10s", "a request (head, and body if any) must be complete this long after its first byte, else 408 and close"),
        ("http.query_nice", "5", "how much lower than ingest's the CPU priority of queries is (a nice value, 0 to 19): with every core busy, records are stored first and queries get the rest"),
        ("retention.max_age", "7d", "records older than this are deleted (0 keeps them)"),
        ("retention.max_bytes", "2GiB", "the store is cut back to this size, oldest first (0 sets no bound)"),
        ("retention.interval", "5m", "how often the daemon prunes"),
        ("ship.url", "", "a fleet store (postgres://USER@HOST:PORT/DB) every record is shipped to, exactly once"),
        ("ship.host_name", "", "the name this host's records carry (default: the machine's host name; also TRACETAIL_HOST_NAME)"),
        ("ship.replace_store", "", "after a re-install: the old local store's id whose host name this store takes over in the fleet store (its records stay); the refusal message names it"),
        ("log.level", "info", "the daemon's own log level: trace, debug, info, notice, warning, error"),
        ("correlate.url", "", "the application's PostgreSQL, read-only (postgres://user@host:port/db): Workflow and AgentTask rows for /workflows/{id}, /tasks/{id} and tracetail workflow/task/verify"),
        ("correlate.timeout", "5s", "statement timeout, and bound on connecting and on each read of the application's database"),
    ] + idKeys.map { ($0.key, "", $0.help) } + schemaKeys.map { ($0.key, ApplicationSchema()[keyPath: $0.path], $0.help) }

    /// `correlate.*` table and column names, for schemas other than the defaults.
    static let schemaKeys: [(key: String, path: any WritableKeyPath<ApplicationSchema, String> & Sendable, help: String)] = [
        ("correlate.workflow_table", \.workflowTable, "the workflows' table (schema.table allowed)"),
        ("correlate.workflow_id_column", \.workflowID, "its id column"),
        ("correlate.workflow_status_column", \.workflowStatus, "its status column"),
        ("correlate.workflow_trace_column", \.workflowTrace, "its trace id column"),
        ("correlate.workflow_span_column", \.workflowSpan, "its current span id column"),
        ("correlate.task_table", \.taskTable, "the tasks' table"),
        ("correlate.task_id_column", \.taskID, "its task id column"),
        ("correlate.task_workflow_column", \.taskWorkflow, "its workflow id column"),
        ("correlate.task_status_column", \.taskStatus, "its status column"),
        ("correlate.task_trace_column", \.taskTrace, "its trace id column"),
        ("correlate.task_span_column", \.taskSpan, "its span id column"),
        ("correlate.task_parent_span_column", \.taskParentSpan, "its parent span id column"),
    ]

    /// `ids.*`: where ids are looked for beyond the built-in keys (docs/parsing.md), per kind.
    static let idKeys: [(key: String, kind: IDFieldOptions.Kind, pattern: Bool, help: String)] = [
        ("ids.trace_keys", .trace, false, "extra key names or dotted paths holding a trace id (x-trace-id, req.headers.x-trace-id)"),
        ("ids.span_keys", .span, false, "extra key names or dotted paths holding a span id"),
        ("ids.parent_span_keys", .parentSpan, false, "extra key names or dotted paths holding a parent span id"),
        ("ids.workflow_keys", .workflow, false, "extra key names or dotted paths holding a workflow id"),
        ("ids.task_keys", .task, false, "extra key names or dotted paths holding a task id"),
        ("ids.trace_pattern", .trace, true, "a regular expression whose one capture is a trace id written in a record's text"),
        ("ids.span_pattern", .span, true, "a regular expression whose one capture is a span id"),
        ("ids.parent_span_pattern", .parentSpan, true, "a regular expression whose one capture is a parent span id"),
        ("ids.workflow_pattern", .workflow, true, "a regular expression whose one capture is a workflow id"),
        ("ids.task_pattern", .task, true, "a regular expression whose one capture is a task id"),
    ]

    /// Where a setting's value came from, for `tracetail config`.
    enum Source: String {
        case builtIn = "default", file, environment, flag
    }

    /// The value and source of every key, as resolved.
    private(set) var sources: [String: (value: String, source: Source)] = [:]
    /// The config file that was read, if any.
    private(set) var configFile: String?

    static func environmentName(_ key: String) -> String {
        "TRACETAIL_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Environment variables that are not settings but start with `TRACETAIL_`.
    static let otherEnvironment: Set<String> = ["TRACETAIL_CONFIG", "TRACETAIL_HOST_NAME"]

    /// Reads every key through swift-configuration: a `ConfigReader` over the flags (an in-memory
    /// provider), the `TRACETAIL_` environment and the YAML file, in that order of precedence, with
    /// the built-in default last. Typos are refused before that: a key in the file or a
    /// `TRACETAIL_` variable that names no setting. Each value's source is the first provider that
    /// has it, for `tracetail config`.
    static func resolve(configPath: String?, overrides: [String: String], environment given: [String: String]) async throws -> Settings {
        var environment = given
        // TRACETAIL_HOST_NAME is the short name of ship.host_name's variable.
        if let host = environment.removeValue(forKey: "TRACETAIL_HOST_NAME"), environment["TRACETAIL_SHIP_HOST_NAME"] == nil {
            environment["TRACETAIL_SHIP_HOST_NAME"] = host
        }
        let path = configPath ?? environment["TRACETAIL_CONFIG"] ?? (FileManager.default.fileExists(atPath: "Config/tracetail.yaml") ? "Config/tracetail.yaml" : nil)
        let known = Set(keys.map(\.key))
        var fileHasValues = false
        if let path {
            let fileKeys = try loadFile(path).keys.sorted()
            for key in fileKeys where !known.contains(key) {
                throw ConfigError("\(path): unknown key '\(key)'")
            }
            fileHasValues = !fileKeys.isEmpty
        }
        let names = Set(keys.map { environmentName($0.key) })
        for name in environment.keys.sorted() where name.hasPrefix("TRACETAIL_") && !names.contains(name) && !otherEnvironment.contains(name) {
            throw ConfigError("environment variable \(name) names no setting (`tracetail config` lists them)")
        }

        var providers: [(Source, any ConfigProvider)] = [
            (.flag, InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: overrides.map {
                (AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)), ConfigValue(.string($0.value), isSecret: false))
            }))),
            (.environment, EnvironmentVariablesProvider(environmentVariables: environment.filter { $0.key.hasPrefix("TRACETAIL_") })
                .prefixKeys(with: ["tracetail"])),
        ]
        if let path, fileHasValues {  // an empty file (no YAML mapping at all) sets nothing
            do {
                providers.append((.file, try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))))
            } catch {
                throw ConfigError("cannot read config file \(path): \(error)")
            }
        }
        let reader = ConfigReader(providers: providers.map(\.1))
        let single = providers.map { ($0.0, ConfigReader(providers: [$0.1])) }
        var values: [String: (value: String, source: Source)] = [:]
        for entry in keys {
            // A YAML list (logs.include, ids.trace_keys) reads as its items joined with commas, the
            // way the environment writes lists.
            func read(_ reader: ConfigReader) -> String? {
                reader.string(forKey: ConfigKey(entry.key)) ?? reader.stringArray(forKey: ConfigKey(entry.key))?.joined(separator: ",")
            }
            let source = single.first { read($0.1) != nil }?.0 ?? .builtIn
            values[entry.key] = (read(reader) ?? entry.defaultValue, source)
        }
        var settings = try Settings(values.mapValues(\.value))
        settings.sources = values
        settings.configFile = path
        return settings
    }

    private init(_ values: [String: String]) throws {
        func value(_ key: String) -> String { values[key]! }
        logsDirectory = Self.expandHome(value("logs.directory"))
        include = Self.list(value("logs.include"))
        exclude = Self.list(value("logs.exclude"))
        pollInterval = try Self.duration(value("logs.poll_interval"), key: "logs.poll_interval", allowZero: false)
        inotify = try Self.bool(value("logs.inotify"), key: "logs.inotify")
        minPassInterval = try Self.duration(value("logs.min_pass_interval"), key: "logs.min_pass_interval", allowZero: true)
        guard minPassInterval <= 1000 else {
            throw ConfigError("logs.min_pass_interval: '\(value("logs.min_pass_interval"))' is above 1s: records would wait that long before they are read")
        }
        groupIdle = try Self.duration(value("logs.group_idle"), key: "logs.group_idle", allowZero: true)
        maxRecordBytes = Int(try Self.size(value("logs.max_record_bytes"), key: "logs.max_record_bytes", minimum: 1024))
        localUTCOffsetSeconds = try Self.zone(value("logs.timezone"))
        databasePath = Self.expandHome(value("store.path"))
        flushInterval = try Self.duration(value("store.flush_interval"), key: "store.flush_interval", allowZero: false)
        flushBytes = Int(try Self.size(value("store.flush_bytes"), key: "store.flush_bytes", minimum: 4096))
        blockBytes = Int(try Self.size(value("store.block_bytes"), key: "store.block_bytes", minimum: 1024))
        guard let level = Int32(value("store.compression_level")), (1...9).contains(level) else {
            throw ConfigError("store.compression_level: '\(value("store.compression_level"))' is not a whole number from 1 to 9")
        }
        compressionLevel = level
        (listenHost, listenPort) = try Self.address(value("http.listen"))
        let token = value("http.token")
        self.token = token.isEmpty ? nil : token
        guard let maxConnections = Int(value("http.max_connections")), maxConnections >= 1 else {
            throw ConfigError("http.max_connections: '\(value("http.max_connections"))' is not a whole number from 1")
        }
        httpServer = HTTPServerConfiguration(
            maxConnections: maxConnections,
            idleTimeout: .milliseconds(try Self.duration(value("http.idle_timeout"), key: "http.idle_timeout", allowZero: false)),
            headerTimeout: .milliseconds(try Self.duration(value("http.header_timeout"), key: "http.header_timeout", allowZero: false)))
        guard let queryNiceness = Int32(value("http.query_nice")), (0...19).contains(queryNiceness) else {
            throw ConfigError("http.query_nice: '\(value("http.query_nice"))' is not a whole number from 0 to 19")
        }
        self.queryNiceness = queryNiceness
        let age = try Self.duration(value("retention.max_age"), key: "retention.max_age", allowZero: true)
        maxAge = age == 0 ? nil : age
        let bytes = try Self.size(value("retention.max_bytes"), key: "retention.max_bytes", minimum: 0)
        maxBytes = bytes == 0 ? nil : bytes
        pruneInterval = try Self.duration(value("retention.interval"), key: "retention.interval", allowZero: false)
        logLevel = value("log.level").lowercased()
        guard Self.logLevels.contains(logLevel) else {
            throw ConfigError("log.level: '\(value("log.level"))' is not one of \(Self.logLevels.joined(separator: ", "))")
        }
        ids = try Self.idOptions(value)
        let ship = value("ship.url")
        shipURL = ship.isEmpty ? nil : ship
        if let shipURL, !shipURL.hasPrefix("postgres://"), !shipURL.hasPrefix("postgresql://") {
            throw ConfigError("ship.url: '\(Redaction.masked(shipURL))' is not a postgres:// URL")
        }
        let host = value("ship.host_name")
        hostName = host.isEmpty ? ProcessInfo.processInfo.hostName : host
        let replace = value("ship.replace_store")
        replaceStore = replace.isEmpty ? nil : replace
        let url = value("correlate.url")
        correlateURL = url.isEmpty ? nil : url
        correlateTimeout = try Self.duration(value("correlate.timeout"), key: "correlate.timeout", allowZero: false)
        // Sent as the session's statement_timeout, which PostgreSQL takes up to 2^31-1 ms (24.8
        // days): a longer one made every connection fail. An hour is far past any use.
        guard correlateTimeout <= 3_600_000 else {
            throw ConfigError("correlate.timeout: '\(value("correlate.timeout"))' is longer than 1h")
        }
        applicationSchema = ApplicationSchema()
        for entry in Self.schemaKeys {
            let name = value(entry.key)
            guard !name.isEmpty else { throw ConfigError("\(entry.key) is empty: name a table or column") }
            applicationSchema[keyPath: entry.path] = name
        }
        if !Self.isLoopback(listenHost), self.token == nil {
            throw ConfigError("http.listen: \(listenHost) is not a loopback address; set http.token (or TRACETAIL_HTTP_TOKEN) to require a bearer token")
        }
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    var tailer: TailerConfiguration {
        TailerConfiguration(
            directory: logsDirectory, include: include, exclude: exclude, pollIntervalMillis: pollInterval,
            flushIntervalMillis: flushInterval, flushBytes: flushBytes, groupIdleMillis: groupIdle,
            maxRecordBytes: maxRecordBytes, useInotify: inotify, minPassIntervalMillis: minPassInterval,
            parser: parserOptions)
    }

    var store: StoreOptions {
        StoreOptions(
            blockBytes: blockBytes, compressionLevel: compressionLevel, hostName: hostName, keepUnshipped: shipURL != nil)
    }

    /// The fleet store to read instead of a SQLite file: `store.path` given as a postgres:// URL.
    var fleetStoreURL: String? {
        databasePath.hasPrefix("postgres://") || databasePath.hasPrefix("postgresql://") ? databasePath : nil
    }

    var retention: RetentionPolicy {
        RetentionPolicy(maxAge: maxAge, maxBytes: maxBytes)
    }

    /// The parser's options, the same for the tailer and the API's reading.
    var parserOptions: RecordParser.Options {
        RecordParser.Options(localUTCOffsetSeconds: localUTCOffsetSeconds, ids: ids)
    }

    var parser: RecordParser {
        RecordParser(options: parserOptions)
    }
}

struct ConfigError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
