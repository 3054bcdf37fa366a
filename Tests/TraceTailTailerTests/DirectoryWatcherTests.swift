import Foundation
import Logging
import Testing
@testable import TraceTailTailer

/// The inotify watcher's own thread: what it hands over, and that a wait ends when it should.
/// Nothing here measures time: a wait that did not end would hang the suite, and each one is
/// bounded by `withinSeconds`, far longer than any of them needs.
@Suite("Directory watcher", .serialized, .timeLimit(.minutes(1)))
struct DirectoryWatcherTests {
    struct Hung: Error {}

    /// A task's value, cancelling the task if the waiting one is cancelled (`withinSeconds`).
    static func value<T: Sendable>(_ task: Task<T, Never>) async -> T {
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    static func withinSeconds<T: Sendable>(_ seconds: Int, _ body: @escaping @Sendable () async -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw Hung() }
            return value
        }
    }

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watcher-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Waits until the changes handed over name `name`, merging what comes meanwhile: a file is
    /// created through a temporary file renamed into place (Foundation's `createFile`), and its
    /// events may come in more than one read.
    static func changes(naming name: String, from watcher: DirectoryWatcher) async throws -> DirectoryChanges {
        try await withinSeconds(60) {
            var seen = DirectoryChanges()
            while !seen.names.contains(name), !Task.isCancelled { seen.merge(await watcher.wait(milliseconds: 600_000)) }
            return seen
        }
    }

    /// A watcher of `dir`.
    static func watcher(_ dir: String) throws -> DirectoryWatcher {
        try #require(DirectoryWatcher(directory: dir, logger: Logger(label: "test")))
    }

    static func append(_ text: String, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test("the directory removed (or moved): the watcher says its watch is gone")
    func directoryRemoved() async throws {
        // Found by a read-only review: the watch stayed on the removed directory, and new lines
        // in the one made again under its name were found by the 2 s full pass only.
        let path = try Self.directory()
        let watcher = try #require(DirectoryWatcher(directory: path, logger: Logger(label: "test")))
        try FileManager.default.removeItem(atPath: path)
        let lost = try await Self.withinSeconds(30) { () -> Bool in
            var seen = DirectoryChanges()
            while !seen.watchLost && !Task.isCancelled { seen.merge(await watcher.wait(milliseconds: 1_000)) }
            return seen.watchLost
        }
        #expect(lost)
        // Made again: a watcher of the new directory works.
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let again = try #require(DirectoryWatcher(directory: path, logger: Logger(label: "test")))
        _ = FileManager.default.createFile(atPath: path + "/a-out.log", contents: Data("x\n".utf8))
        let changes = try await Self.changes(naming: "a-out.log", from: again)
        #expect(changes.names.contains("a-out.log"))
    }

    @Test("a write is handed to the waiting task by name, a new file as a change of the listing")
    func writeWakesTheWaiter() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.append("first\n", to: dir + "/app-out.log")
        let watcher = try Self.watcher(dir)
        // Created before the watch began: nothing is pending.
        let quiet = try await Self.withinSeconds(60) { await watcher.wait(milliseconds: 50) }
        #expect(quiet.isEmpty)

        let waiting = Task { await watcher.wait(milliseconds: 600_000) }
        try await Task.sleep(for: .milliseconds(100))  // the task is most likely waiting by now (either way must work)
        try Self.append("second\n", to: dir + "/app-out.log")
        let changes = try await Self.withinSeconds(60) { await Self.value(waiting) }
        #expect(changes.names == ["app-out.log"])
        #expect(!changes.structural)

        try Self.append("new\n", to: dir + "/other-out.log")
        let created = try await Self.changes(naming: "other-out.log", from: watcher)
        #expect(created.structural)
    }

    @Test("events that arrive while nobody waits are kept for the next wait, merged")
    func eventsBetweenWaitsAreKept() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.append("a\n", to: dir + "/a-out.log")
        try Self.append("b\n", to: dir + "/b-out.log")
        let watcher = try Self.watcher(dir)
        try Self.append("a\n", to: dir + "/a-out.log")
        try Self.append("b\n", to: dir + "/b-out.log")
        // Whether the thread read the two writes in one go or two, the waits see both names.
        var names: Set<String> = []
        while names != ["a-out.log", "b-out.log"] {
            let changes = try await Self.withinSeconds(60) { await watcher.wait(milliseconds: 600_000) }
            #expect(!changes.isEmpty)
            names.formUnion(changes.names)
        }
    }

    @Test("a wait with nothing happening ends empty when its time is up")
    func waitTimesOut() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let watcher = try Self.watcher(dir)
        for _ in 0..<3 {
            let changes = try await Self.withinSeconds(60) { await watcher.wait(milliseconds: 30) }
            #expect(changes.isEmpty)
        }
    }

    @Test("cancelling the waiting task ends its wait at once, before or during the wait")
    func cancellationEndsTheWait() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let watcher = try Self.watcher(dir)
        let during = Task { await watcher.wait(milliseconds: 3_600_000) }
        try await Task.sleep(for: .milliseconds(100))
        during.cancel()
        #expect(try await Self.withinSeconds(60) { await Self.value(during) }.isEmpty)

        let before = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await watcher.wait(milliseconds: 3_600_000)
        }
        #expect(try await Self.withinSeconds(60) { await Self.value(before) }.isEmpty)

        // The watcher still works after both.
        try Self.append("x\n", to: dir + "/late-out.log")
        let changes = try await Self.changes(naming: "late-out.log", from: watcher)
        #expect(changes.structural)
    }

    @Test("a watcher let go ends its thread and closes its descriptors")
    func releaseClosesDescriptors() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // What each descriptor is (an inode of pipefs or inotify's anonymous one): once closed,
        // its number is gone or names something else.
        func identity(_ fd: Int32) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)") }
        var watchers: [DirectoryWatcher] = []
        for _ in 0..<5 {
            watchers.append(try Self.watcher(dir))
            _ = await watchers.last!.wait(milliseconds: 1)
        }
        let held = watchers.flatMap(\.descriptors).map { ($0, identity($0)) }
        #expect(held.count == 15)
        #expect(held.allSatisfy { $0.1 != nil }, "\(held)")
        #expect(held.filter { $0.1 == "anon_inode:inotify" }.count == 5)
        watchers.removeAll()
        // Each thread ends once it sees the stop, and the descriptors go with it.
        func open() -> [(Int32, String?)] { held.filter { identity($0.0) == $0.1 } }
        while !open().isEmpty, !Task.isCancelled { try await Task.sleep(for: .milliseconds(50)) }
        #expect(open().isEmpty, "still open: \(open())")
    }
}
