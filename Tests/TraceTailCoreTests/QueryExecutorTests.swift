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

    /// Every thread of this process but the query threads: name and nice value.
    static func otherThreads() -> [(name: String, nice: Int)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { tid in
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8)
            else { return nil }
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            guard name != "tracetail-query", fields.count > 16, let nice = Int(fields[16]) else { return nil }
            return (name, nice)
        }
    }

    @Test("the waiting task is resumed from the relay thread: no thread but the query threads gets their nice value")
    func noPriorityLeak() async throws {
        // 7: a value libdispatch does not give its own workers (it sets nice by quality of
        // service: -4, -2, 0, and 10 for background), so a thread at the process's plus 7 is one
        // that inherited a query thread's.
        let executor = QueryExecutor(threadCount: 2, niceness: 7)
        defer { executor.shutdown() }
        let main = Int((try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8))?
            .split(separator: ")").last?.split(separator: " ")[16] ?? "") ?? 0
        // Many at once, and tasks that go on after their read (each resumption hands work to
        // the shared pool, which starts threads as it needs them).
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<2000 {
                group.addTask {
                    let value = try await executor.run { i }
                    await Task.yield()
                    return value
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == 1999 * 2000 / 2)
        let lowered = Self.otherThreads().filter { $0.nice == min(19, main + 7) }
        #expect(lowered.isEmpty, "threads at a raised nice value: \(lowered)")
        #expect(Self.otherThreads().contains { $0.name == "tracetail-relay" })
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
