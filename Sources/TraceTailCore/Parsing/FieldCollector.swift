/// A value found by a scan: where its bytes are in the scanned buffer and how deep it sat.
package struct ValueRef: Sendable, Equatable {
    package enum Kind: UInt8, Sendable { case string, escapedString, bare, object }
    package var start: Int
    package var end: Int
    package var depth: Int
    package var kind: Kind
}

/// Keeps the best candidate for every field while a scan runs. Ids may sit at any depth: a shallower
/// one wins over a deeper one, and at equal depth the later one wins (pino's duplicate keys).
/// Level, time and message count only at the top level; `err.message` only one level down.
package struct FieldCollector: Sendable {
    package var traceID: ValueRef?
    /// Trace ids besides the chosen one, first come first kept: a `traceId` that lost to a
    /// shallower one, and header values (`x-trace-id`, `x-b3-traceid`). The record is stored under
    /// these too (`RecordFields.otherTraceIDs`).
    package var otherTraceIDs: (ValueRef?, ValueRef?) = (nil, nil)
    package var traceparent: ValueRef?
    package var spanID: ValueRef?
    package var parentSpanID: ValueRef?
    package var workflowID: ValueRef?
    package var taskID: ValueRef?
    package var level: ValueRef?
    /// The last of `loglevel`, `lvl`, `severity`.
    package var levelAlias: ValueRef?
    /// The last of `time`, `timestamp` and `ts` at the top level.
    package var time: ValueRef?
    /// The key `time` was found under: it decides the unit of an epoch number.
    package var timeKey: FieldKey = .time
    /// Each of them, the last under its own name: `FieldValues.apply` prefers `time`, then
    /// `timestamp`, then `ts`, if it reads as a time.
    package var times: (time: ValueRef?, timestamp: ValueRef?, ts: ValueRef?) = (nil, nil, nil)
    package var msg: ValueRef?
    package var message: ValueRef?
    package var errMessage: ValueRef?
    /// Number of keys seen at the top level.
    package var topLevelKeys = 0

    package init() {}

    @inline(__always)
    private static func better(_ current: ValueRef?, _ new: ValueRef) -> ValueRef {
        if let current, current.depth < new.depth { return current }
        return new
    }

    @inline(__always)
    private mutating func keepOtherTrace(_ ref: ValueRef) {
        if otherTraceIDs.0 == nil {
            otherTraceIDs.0 = ref
        } else if otherTraceIDs.1 == nil {
            otherTraceIDs.1 = ref
        }
    }

    /// Records a value under `key`. `container` is the top-level key whose object holds it, if any.
    @inline(__always)
    package mutating func value(_ key: FieldKey, _ ref: ValueRef, container: FieldKey?) {
        switch key {
        case .traceID:
            if let current = traceID {
                let kept = Self.better(current, ref)
                keepOtherTrace(kept == current ? ref : current)
                traceID = kept
            } else {
                traceID = ref
            }
        case .headerTraceID: keepOtherTrace(ref)
        case .spanID: spanID = Self.better(spanID, ref)
        case .parentSpanID: parentSpanID = Self.better(parentSpanID, ref)
        case .workflowID: workflowID = Self.better(workflowID, ref)
        case .taskID: taskID = Self.better(taskID, ref)
        case .traceparent: traceparent = Self.better(traceparent, ref)
        case .level: if ref.depth == 0 { level = ref }
        case .levelAlias: if ref.depth == 0 { levelAlias = ref }
        case .time, .ts, .timestamp:
            if ref.depth == 0 {
                time = ref
                timeKey = key
                switch key {
                case .time: times.time = ref
                case .timestamp: times.timestamp = ref
                default: times.ts = ref
                }
            }
        case .msg: if ref.depth == 0 { msg = ref }
        case .message:
            if ref.depth == 0 {
                message = ref
            } else if ref.depth == 1 && container == .err {
                errMessage = ref
            }
        case .err, .traceObject, .spanObject, .id: break
        }
    }
}
