import Dispatch

extension RecordParser {
    /// Parses records on every core, each with the same `referenceTime`.
    ///
    /// For a backlog (a start after downtime, `tracetail ingest`, a burst): the tailer reads a
    /// chunk of a file and parses its records here, so that parsing, about a third of ingest's
    /// CPU, is no longer done on one thread while the other core waits for the next commit.
    /// Only the time of day of a pino-pretty header depends on the reference (it dates the
    /// record); the tailer keeps a result made here only for JSON records (`isReferenceFree`),
    /// and parses the others again, in order, with their own reference.
    package func parseAll(_ records: [AssembledRecord], referenceTime: Int64, slices wanted: Int) -> [RecordFields] {
        let count = records.count
        let slices = max(1, min(wanted, count / 16))
        guard slices > 1 else { return records.map { parse(record: $0, referenceTime: referenceTime) } }
        var out = [RecordFields](repeating: RecordFields(message: ""), count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            // Each slice writes its own elements only.
            nonisolated(unsafe) let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                for index in count * slice / slices..<count * (slice + 1) / slices {
                    buffer[index] = parse(record: records[index], referenceTime: referenceTime)
                }
            }
        }
        return out
    }
}

extension RecordFields {
    /// Parsed the same whatever the reference time: a JSON record (its time, if any, is its own).
    package var isReferenceFree: Bool { format == .pinoJSON || format == .json }
}
