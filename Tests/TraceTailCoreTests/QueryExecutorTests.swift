import Foundation
import Testing
@testable import TraceTailCore

/// The query threads: work runs on them, at a nice value raised above the process's, both as
/// blocking work (`run`) and as a task's preferred executor.
@Suite("Query executor")
struct QueryExecutorTests {
    /// This thread's name and nice value, from /proc (fields after the command's closing paren:
    /// state is the 1st, nice the 17th).
    static func thisThread() -> (name: String, nice: Int) {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let stat = (try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        return (name, fields.count > 16 ? Int(fields[16]) ?? -100 : -100)
    }

    @Test("blocking work runs on a query thread whose nice value is the process's plus the setting")
    func runAtLowerPriority() async throws {
        let executor = QueryExecutor(threadCount: 2, niceness: 7)
        defer { executor.shutdown() }
        let process = Self.thisThread().nice
        let seen = try await executor.run { Self.thisThread() }
        #expect(seen.name == "tracetail-query")
        #expect(seen.nice == min(19, process + 7))
        #expect(executor.threadsWithoutPriority == 0)
    }

    @Test("errors thrown by the work reach the caller; many calls at once are all answered")
    func errorsAndConcurrency() async throws {
        struct Refused: Error {}
        let executor = QueryExecutor(threadCount: 2, niceness: 1)
        defer { executor.shutdown() }
        await #expect(throws: Refused.self) { try await executor.run { throw Refused() } }
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 1...500 { group.addTask { try await executor.run { i } } }
            return try await group.reduce(0, +)
        }
        #expect(sum == 500 * 501 / 2)
    }

    @Test("a task that prefers the executor runs its code on the query threads")
    func taskExecutorPreference() async throws {
        let executor = QueryExecutor(threadCount: 1, niceness: 3)
        defer { executor.shutdown() }
        let process = Self.thisThread().nice
        let seen = await withTaskExecutorPreference(executor) {
            // Suspend once, so that the code after runs wherever the preference puts it.
            await Task.yield()
            return Self.thisThread()
        }
        #expect(seen.name == "tracetail-query")
        #expect(seen.nice == min(19, process + 3))
    }

    @Test("niceness 0 leaves the threads at the process's priority")
    func zeroNiceness() async throws {
        let executor = QueryExecutor(threadCount: 1, niceness: 0)
        defer { executor.shutdown() }
        let process = Self.thisThread().nice
        let seen = try await executor.run { Self.thisThread() }
        #expect(seen.nice == process)
    }
}
