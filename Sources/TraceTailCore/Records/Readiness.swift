/// What `/readyz` answers: ready or not, why not, and figures about progress.
package struct Readiness: Sendable {
    package var ready: Bool
    /// Why not ready, in words a client can show.
    package var reason: String?
    package var figures: [(String, Int64)]

    package init(ready: Bool, reason: String? = nil, figures: [(String, Int64)] = []) {
        self.ready = ready
        self.reason = reason
        self.figures = figures
    }
}
