import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TraceTailCore
import Yams

extension Settings {
    /// Reads a YAML config file into dotted keys: `retention: {max_age: 7d}` gives `retention.max_age`.
    static func loadFile(_ path: String) throws -> [String: String] {
        // Read through a file handle, not String(contentsOfFile:), which refuses files whose size
        // it cannot learn up front (`--config /dev/null`, a pipe from process substitution).
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("config file \(path) is not UTF-8 text")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ConfigError("config file \(path) is not valid YAML: \(error)")
        }
        guard let document else { return [:] }
        guard let root = document as? [String: Any] else { throw ConfigError("config file \(path): expected a mapping at the top") }
        var out: [String: String] = [:]
        for (section, body) in root {
            guard let body = body as? [String: Any] else {
                throw ConfigError("config file \(path): '\(section)' must be a mapping of keys")
            }
            for (key, value) in body {
                switch value {
                case let list as [Any]: out["\(section).\(key)"] = list.map { "\($0)" }.joined(separator: ",")
                case is NSNull: out["\(section).\(key)"] = ""
                default: out["\(section).\(key)"] = "\(value)"
                }
            }
        }
        return out
    }

    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func expandHome(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst(1)
    }

    /// `250ms`, `30s`, `5m`, `12h`, `7d`, or a bare number of seconds; in milliseconds.
    static func duration(_ text: String, key: String, allowZero: Bool) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)]
        var result: Int64?
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count)) {
                result = try scaled(number, by: scale, text: text, key: key)
                break
            }
        }
        if result == nil, let seconds = Double(trimmed) { result = try scaled(seconds, by: 1000, text: text, key: key) }
        guard let result, allowZero || result > 0 else {
            throw ConfigError("\(key): '\(text)' is not a duration like 250ms, 30s, 5m, 12h or 7d\(allowZero ? "" : " above zero")")
        }
        return result
    }

    /// `1048576`, `64KiB`, `4MiB`, `2GiB`, `500MB`, `1GB`; in bytes.
    static func size(_ text: String, key: String, minimum: Int64) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int64)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
            ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
            ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1),
        ]
        var result: Int64?
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) {
                result = try scaled(number, by: scale, text: text, key: key)
            }
            break
        }
        if result == nil, let number = Int64(trimmed), number >= 0 { result = number }
        guard let result, result == 0 && minimum == 0 || result >= minimum else {
            throw ConfigError("\(key): '\(text)' is not a size like 65536, 64KiB, 4MiB or 2GiB (at least \(minimum) bytes)")
        }
        return result
    }

    /// `number * scale` as a whole number, refusing what is negative, not finite or too large
    /// (`infd`, `1e30d`, `99999999999GiB` are config errors, never a trap).
    static func scaled(_ number: Double, by scale: Int64, text: String, key: String) throws -> Int64 {
        let value = number * Double(scale)
        // 2^62: far beyond any sensible setting, and safe to add to a time in milliseconds.
        guard number.isFinite, number >= 0, value < 4.611_686_018_427_387_9e18 else {
            throw ConfigError("\(key): '\(text)' is out of range")
        }
        return Int64(value)
    }

    /// A duration in the largest whole unit: `30d`, `12h`, `250ms`.
    static func describe(millis: Int64) -> String {
        for (suffix, scale) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where millis % scale == 0 {
            return "\(millis / scale)\(suffix)"
        }
        return "\(millis)ms"
    }

    static func bool(_ text: String, key: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigError("\(key): '\(text)' is not true or false")
        }
    }

    /// `local`, `UTC`, `Z`, `+02:00`, `-0530`: seconds east of UTC.
    static func zone(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "local", "":
            // The C library's zone (TZ, /etc/localtime), without Foundation's ICU time zone data.
            var now = time(nil)
            var parts = tm()
            localtime_r(&now, &parts)
            return parts.tm_gmtoff
        case "utc", "z", "gmt": return 0
        default: break
        }
        let scalars = Array(trimmed.utf8)
        if scalars.count >= 3, scalars[0] == UInt8(ascii: "+") || scalars[0] == UInt8(ascii: "-") {
            let digits = trimmed.dropFirst().replacingOccurrences(of: ":", with: "")
            if digits.count == 4 || digits.count == 2, let number = Int(digits) {
                let hours = digits.count == 4 ? number / 100 : number
                let minutes = digits.count == 4 ? number % 100 : 0
                if hours <= 14, minutes < 60 {
                    return (scalars[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
                }
            }
        }
        throw ConfigError("logs.timezone: '\(text)' is not local, UTC or an offset like +02:00")
    }

    /// `127.0.0.1:7433`, `[::1]:7433`, `:7433` (loopback), `0.0.0.0:7433`.
    static func address(_ text: String) throws -> (String, Int) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ConfigError("http.listen: '\(text)' has no closing ']'") }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(after: close)...].drop { $0 == ":" }
        } else if let colon = text.lastIndex(of: ":") {
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigError("http.listen: '\(text)' is not HOST:PORT with a port from 0 to 65535")
        }
        return (host, port)
    }

    /// `ids.*`: key lists, and patterns compiled now so that a bad one is an error naming its key.
    static func idOptions(_ value: (String) -> String) throws -> IDFieldOptions {
        var keys: [IDFieldOptions.Kind: [String]] = [:]
        var patterns: [IDFieldOptions.Kind: IDPattern] = [:]
        for entry in idKeys {
            let text = value(entry.key)
            if !entry.pattern {
                let names = list(text)
                if let bad = names.first(where: { $0.split(separator: ".", omittingEmptySubsequences: false).contains { $0.isEmpty } }) {
                    throw ConfigError("\(entry.key): '\(bad)' is not a key name or a dotted path like req.headers.x-trace-id")
                }
                keys[entry.kind] = names
            } else if !text.isEmpty {
                do {
                    patterns[entry.kind] = try IDPattern(text)
                } catch {
                    throw ConfigError("\(entry.key): '\(text)' \(error)")
                }
            }
        }
        return IDFieldOptions(keys: keys, patterns: patterns)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
