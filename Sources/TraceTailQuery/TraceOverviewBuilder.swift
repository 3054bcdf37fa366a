import TraceTailCore

/// Adds up a trace's records one at a time (so pages can be read and dropped), then builds the
/// span tree from span and parent span ids.
package struct TraceOverviewBuilder: Sendable {
    /// Deeper spans are shown as roots, so that neither building nor printing the tree can run
    /// out of stack on a pathological chain of parents.
    package static let maximumDepth = 64

    private struct Totals {
        var parent: IDKey?
        var apps: Set<String> = []
        var firstTime = Int64.max
        var lastTime = Int64.min
        var records = 0
        var errors = 0

        mutating func add(_ stored: StoredRecord) {
            apps.insert(stored.file.app)
            firstTime = min(firstTime, stored.record.time)
            lastTime = max(lastTime, stored.record.time)
            records += 1
            if stored.isError { errors += 1 }
        }
    }

    private var totals = Totals()
    private var levels: [UInt8: Int] = [:]
    private var spans: [IDKey: Totals] = [:]
    private var unspanned = 0
    private var hosts: Set<String> = []
    /// The trace summed up, when known: a record that reached it by another of its trace ids (an
    /// `x-trace-id` header beside its own context's) counts, but its span belongs to its own
    /// trace's tree, so here it is one of the records outside any span.
    private let trace: IDKey?

    package init(trace: IDKey? = nil) {
        self.trace = trace
    }

    package var isEmpty: Bool { totals.records == 0 }

    package mutating func add(_ stored: StoredRecord) {
        totals.add(stored)
        hosts.insert(stored.file.host)
        // Custom pino levels (35, say) are counted under the standard level they round down to.
        let level = LogLevel(name: stored.effectiveLevel.name) ?? .info
        levels[level.rawValue, default: 0] += 1
        guard let span = stored.record.span, trace == nil || stored.record.trace == trace else {
            unspanned += 1
            return
        }
        spans[span, default: Totals()].add(stored)
        if spans[span]!.parent == nil, let parent = stored.record.parentSpan, parent != span {
            spans[span]!.parent = parent
        }
    }

    package mutating func add(contentsOf records: some Sequence<StoredRecord>) {
        for stored in records { add(stored) }
    }

    /// The summary; nil when no record was added.
    package func build(traceID: String, truncated: Bool = false) -> TraceOverview? {
        guard !isEmpty else { return nil }
        var overview = TraceOverview(
            traceID: traceID, firstTime: totals.firstTime, lastTime: totals.lastTime, records: totals.records,
            errors: totals.errors, apps: totals.apps.sorted(),
            levels: levels.sorted { $0.key < $1.key }.map { (LogLevel(rawValue: $0.key), $0.value) },
            unspannedRecords: unspanned, spans: tree(), spanCount: spans.count, truncated: truncated)
        overview.hosts = hosts.sorted()
        return overview
    }

    /// Roots are spans without a parent in the trace; a cycle of parents is broken at its earliest
    /// span. Built bottom-up without recursion; children in time order.
    private func tree() -> [SpanNode] {
        let byTime: (IDKey, IDKey) -> Bool = { a, b in
            let (x, y) = (spans[a]!, spans[b]!)
            return x.firstTime != y.firstTime ? x.firstTime < y.firstTime : a < b
        }
        var children: [IDKey: [IDKey]] = [:]
        var roots: [IDKey] = []
        for (span, totals) in spans {
            if let parent = totals.parent, spans[parent] != nil {
                children[parent, default: []].append(span)
            } else {
                roots.append(span)
            }
        }
        // Breadth first from the roots; whatever is not reached sits on a cycle.
        var order: [IDKey] = []
        var parentOf: [IDKey: IDKey] = [:]
        var depth: [IDKey: Int] = [:]
        var pending = roots.sorted(by: byTime)
        var unreached = Set(spans.keys)
        var treeRoots: [IDKey] = []
        while true {
            for root in pending where unreached.contains(root) {
                unreached.remove(root)
                treeRoots.append(root)
                depth[root] = 0
                var queue = [root]
                var head = 0
                while head < queue.count {
                    let span = queue[head]
                    head += 1
                    order.append(span)
                    for child in children[span] ?? [] where unreached.contains(child) {
                        unreached.remove(child)
                        if depth[span]! + 1 >= Self.maximumDepth {
                            treeRoots.append(child)
                            depth[child] = 0
                        } else {
                            parentOf[child] = span
                            depth[child] = depth[span]! + 1
                        }
                        queue.append(child)
                    }
                }
            }
            guard let next = unreached.min(by: byTime) else { break }
            pending = [next]
        }
        var nodes: [IDKey: SpanNode] = [:]
        var childNodes: [IDKey: [SpanNode]] = [:]
        for span in order.reversed() {
            let totals = spans[span]!
            var node = SpanNode(
                spanID: SpanID(key: span)?.canonical ?? "?", parentSpanID: totals.parent.flatMap(SpanID.init(key:))?.canonical,
                apps: totals.apps.sorted(), firstTime: totals.firstTime, lastTime: totals.lastTime,
                records: totals.records, errors: totals.errors, children: [])
            node.children = (childNodes.removeValue(forKey: span) ?? []).sorted {
                $0.firstTime != $1.firstTime ? $0.firstTime < $1.firstTime : $0.spanID < $1.spanID
            }
            if let parent = parentOf[span] {
                childNodes[parent, default: []].append(node)
            } else {
                nodes[span] = node
            }
        }
        return treeRoots.sorted(by: byTime).compactMap { nodes[$0] }
    }
}
