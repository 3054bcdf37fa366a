/// Which of a PM2 app's streams a file holds.
package enum LogStream: String, Sendable, Hashable, Codable {
    /// `<app>-out.log`: stdout.
    case out
    /// `<app>-error.log`: stderr.
    case err
    /// `<app>.log` (`log_file`): stdout and stderr interleaved.
    case combined
}
