import Testing
import TraceTailCore

@Suite("Tail decisions (pure)")
struct TailDecisionTests {
    static let state = FileState(
        id: 1, path: "api-out.log", app: "api", stream: .out, instance: nil, device: 7, inode: 42,
        headLength: 1024, headHash: 111, offset: 5000, tailHash: 222)

    static func look(device: UInt64 = 7, inode: UInt64 = 42, size: Int64, head: UInt64? = 111, tail: UInt64? = 222) -> FileObservation {
        FileObservation(device: device, inode: inode, size: size, headHash: head, tailHash: tail)
    }

    @Test("Observations map to actions", arguments: [
        (look(size: 5000), TailAction.idle),
        (look(size: 6000), .read(from: 5000)),
        (look(size: 100, tail: nil), .truncated),                    // pm2 flush, then a little more
        (look(size: 9000, tail: 999), .truncated),                   // truncated and grown back past the offset
        (look(size: 9000, head: 555, tail: 999), .truncated),        // rewritten in place
        (look(inode: 43, size: 9000), .replaced),                    // deleted and recreated
        (look(device: 8, size: 9000), .replaced),
    ])
    func decide(observation: FileObservation, expected: TailAction) {
        #expect(TailDecision.decide(Self.state, observation) == expected)
    }

    @Test("A new file with nothing saved is read from 0")
    func fresh() {
        let state = FileState(path: "a-out.log", app: "a", stream: .out, instance: nil, device: 1, inode: 2)
        #expect(TailDecision.decide(state, FileObservation(device: 1, inode: 2, size: 10, headHash: nil, tailHash: nil)) == .read(from: 0))
        #expect(TailDecision.decide(state, FileObservation(device: 1, inode: 2, size: 0, headHash: nil, tailHash: nil)) == .idle)
    }

    @Test("A rotated copy continues the file it copies only when head and bytes before the offset match")
    func continuation() {
        let live = Self.state
        #expect(TailDecision.continuation(of: live, copySize: 7000, copyHeadHash: 111, copyTailHash: 222) == 5000)
        #expect(TailDecision.continuation(of: live, copySize: 7000, copyHeadHash: 111, copyTailHash: 9) == nil)
        #expect(TailDecision.continuation(of: live, copySize: 7000, copyHeadHash: 5, copyTailHash: 222) == nil)
        // A copy shorter than what was read holds nothing new.
        #expect(TailDecision.continuation(of: live, copySize: 4000, copyHeadHash: 111, copyTailHash: nil) == 4000)
        var unread = live
        unread.offset = 0
        #expect(TailDecision.continuation(of: unread, copySize: 7000, copyHeadHash: 111, copyTailHash: nil) == nil)
    }
}
