#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock in milliseconds since the Unix epoch: the time stamped on records that carry
/// none of their own.
package enum WallClock {
    package static func nowMillis() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Whether `interval` ms have passed from `since` to `now` on this clock. A clock set back
    /// (`now` before `since`) counts as passed: the periodic work is done at once and its timer
    /// starts again from the new time. Counted as not passed, an hour's step back held commits
    /// and the full passes for an hour. (A held record's quiet time is restarted instead:
    /// `DirectoryTailer.advance`.)
    package static func elapsed(_ now: Int64, since: Int64, atLeast interval: Int64) -> Bool {
        now < since || now - since >= interval
    }
}
