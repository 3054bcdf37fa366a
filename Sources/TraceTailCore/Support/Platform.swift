#if canImport(Glibc)
import Glibc
#endif

/// Facts about the machine, without Foundation.
package enum Platform {
    /// Cores online (at least 1).
    package static var activeCores: Int {
        #if canImport(Glibc)
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        1
        #endif
    }
}
