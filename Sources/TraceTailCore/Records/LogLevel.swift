/// pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
package struct LogLevel: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package var rawValue: UInt8

    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let trace = LogLevel(rawValue: 10)
    package static let debug = LogLevel(rawValue: 20)
    package static let info = LogLevel(rawValue: 30)
    package static let warn = LogLevel(rawValue: 40)
    package static let error = LogLevel(rawValue: 50)
    package static let fatal = LogLevel(rawValue: 60)

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A level name as pino, pino-pretty, logfmt, winston (its npm and syslog levels) or a request
    /// spells it (`info`, `WARN`, `warning`, `err`, `verbose`, `emerg`), or a number as pino
    /// writes it.
    package init?(name: some StringProtocol) {
        switch name.lowercased() {
        case "trace", "silly", "10": self = .trace
        case "debug", "dbg", "verbose", "20": self = .debug
        case "info", "information", "notice", "http", "30": self = .info
        case "warn", "warning", "40": self = .warn
        case "error", "err", "50": self = .error
        case "fatal", "critical", "crit", "panic", "alert", "emerg", "emergency", "60": self = .fatal
        default: return nil
        }
    }

    /// A pino number; values between the standard ones (custom levels) round down to a standard one.
    package init?(number: Int) {
        guard number > 0, number <= 255 else { return nil }
        self.rawValue = UInt8(number)
    }

    package var name: String {
        switch rawValue {
        case ..<20: "trace"
        case 20..<30: "debug"
        case 30..<40: "info"
        case 40..<50: "warn"
        case 50..<60: "error"
        default: "fatal"
        }
    }

    package var description: String { name }
}

extension LogLevel {
    /// The level a record counts at in filters and totals: its own, else error when it was written
    /// to stderr (where `console.error` and uncaught exceptions go), info elsewhere. The one
    /// definition of the rule, for the store's filters, the summaries and the renderers.
    package static func effective(_ own: LogLevel?, stream: LogStream) -> LogLevel {
        own ?? (stream == .err ? .error : .info)
    }
}
