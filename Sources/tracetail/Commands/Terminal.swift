import Foundation

enum Terminal {
    /// ANSI colours when standard output is a terminal and NO_COLOR is not set.
    static var colours: Bool {
        isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
