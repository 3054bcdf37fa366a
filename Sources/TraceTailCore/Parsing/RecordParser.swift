/// Turns one record's original text into fields. Pure: the same text, options and reference time
/// give the same fields, so the store can keep only the text and re-derive the message when it is read.
///
/// Order of recognition, on the record's text after any PM2 date prefix: a JSON object (pino when it
/// has a top-level `level` or `time`), a pino-pretty header, a util.inspect object, logfmt, a stack
/// trace, plain text. The record's own time wins; else the PM2 prefix's; else `fallbackTime` (the PM2
/// JSON envelope's `timestamp`, `AssembledRecord.envelopeTime`); else nil. Ids: the built-in rules,
/// then the configured keys and patterns (`Options.ids`) for what they left empty.
package struct RecordParser: Sendable {
    package struct Options: Sendable, Equatable {
        /// Seconds east of UTC for times written without a zone (PM2 `--time` prefixes,
        /// pino-pretty's default `HH:MM:ss.l`).
        package var localUTCOffsetSeconds: Int
        /// Configured keys, paths and patterns for ids (`ids.*`), tried after the built-in ones.
        package var ids: IDFieldOptions {
            get { configuredIDs ?? IDFieldOptions() }
            set { configuredIDs = newValue.isEmpty ? nil : newValue }
        }
        /// nil when nothing is configured: then copying the options (once per record) retains nothing.
        private(set) var configuredIDs: IDFieldOptions?

        package init(localUTCOffsetSeconds: Int = 0, ids: IDFieldOptions = IDFieldOptions()) {
            self.localUTCOffsetSeconds = localUTCOffsetSeconds
            self.configuredIDs = ids.isEmpty ? nil : ids
        }
    }

    package var options: Options

    package init(options: Options = Options()) {
        self.options = options
    }

    /// Parses a record. `referenceTime` (ms since the epoch) supplies the date for times written
    /// without one; it is the time the record was read.
    package func parse(_ raw: [UInt8], referenceTime: Int64) -> RecordFields {
        parse(raw, referenceTime: referenceTime, fallbackTime: nil)
    }

    /// Parses a record; `fallbackTime` is used when neither the record nor a PM2 prefix has a time.
    package func parse(_ raw: [UInt8], referenceTime: Int64, fallbackTime: Int64?) -> RecordFields {
        parse(record: AssembledRecord(raw: raw, startOffset: 0, endOffset: 0, envelopeTime: fallbackTime), referenceTime: referenceTime)
    }

    /// Parses an assembled record, using its envelope time as the fallback time.
    package func parse(record: AssembledRecord, referenceTime: Int64) -> RecordFields {
        parse(record: record, referenceTime: referenceTime, ids: true)
    }

    /// What an answer shows of a stored record that is not stored with it: its message and marker,
    /// as `parse` finds them. A JSON record's id fields are not looked for, nor configured ids (the
    /// record's stored ids are shown; a lookup's answer parses each of its records again, and the
    /// id fields were a third of that); other formats are parsed as by `parse`. The other fields
    /// are as `parse` finds them, but for the ids, which may be missing.
    package func display(_ raw: [UInt8], referenceTime: Int64) -> RecordFields {
        parse(record: AssembledRecord(raw: raw, startOffset: 0, endOffset: 0, envelopeTime: nil), referenceTime: referenceTime, ids: false)
    }

    private func parse(record: AssembledRecord, referenceTime: Int64, ids: Bool) -> RecordFields {
        let offset = options.localUTCOffsetSeconds
        return record.raw.withUnsafeBufferPointer { b -> RecordFields in
            let n = b.count
            var start = 0
            while start < n && b[start] == 0 { start += 1 }
            let firstLineEnd = ByteClass.find(0x0A, b, start, n)
            if let prefix = PM2Prefix.length(b, start, firstLineEnd) {
                let prefixTime = PM2Prefix.time(b, start, prefixLength: prefix, localUTCOffsetSeconds: offset)
                let content = PM2Prefix.stripAll(b, start, n, length: prefix)
                var fields = content.withUnsafeBufferPointer { parseContent($0, 0, $0.count, referenceTime: referenceTime, ids: ids) }
                if fields.time == nil { fields.time = prefixTime ?? record.envelopeTime }
                return fields
            }
            var fields = parseContent(b, start, n, referenceTime: referenceTime, ids: ids)
            if fields.time == nil { fields.time = record.envelopeTime }
            return fields
        }
    }

    private func parseContent(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, referenceTime: Int64, ids: Bool) -> RecordFields {
        var fields = parseBuiltIn(b, start, end, referenceTime: referenceTime, ids: ids)
        if ids, let configured = options.configuredIDs { IDPathScanner.apply(configured, b, start, end, to: &fields) }
        return fields
    }

    private func parseBuiltIn(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, referenceTime: Int64, ids: Bool) -> RecordFields {
        let offset = options.localUTCOffsetSeconds
        let e = ByteClass.trimEnd(b, start, end)
        guard start < e else { return RecordFields(message: "") }
        let first = ByteClass.trimStart(b, start, e)
        if b[first] == UInt8(ascii: "{") {
            var collector = FieldCollector()
            LooseObjectScanner.scan(b, first, e, initialDepth: -1, into: &collector)
            if collector.topLevelKeys > 0 {
                let isPino = collector.level != nil || collector.levelAlias != nil || collector.time != nil
                var fields = RecordFields(message: "", format: isPino ? .pinoJSON : .json)
                FieldValues.apply(collector, b, localUTCOffsetSeconds: offset, to: &fields)
                if ids {
                    IDExtractor.apply(collector, b, to: &fields)
                    ProseIDScanner.applyTraceparent(inMessage: &fields)
                }
                fields.marker = MarkerFinder.marker(in: fields.message)
                return fields
            }
        }
        guard TextCleaner.needsCleaning(b, start, e) else { return parseText(b, start, e, referenceTime: referenceTime) }
        var cleaned = [UInt8]()
        cleaned.reserveCapacity(e - start)
        TextCleaner.clean(b, start, e, into: &cleaned)
        return cleaned.withUnsafeBufferPointer { parseText($0, 0, $0.count, referenceTime: referenceTime) }
    }

    private func parseText(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, referenceTime: Int64) -> RecordFields {
        let offset = options.localUTCOffsetSeconds
        var fields: RecordFields
        if let pretty = PrettyRecordParser.parse(b, start, end, referenceTime: referenceTime, localUTCOffsetSeconds: offset) {
            fields = pretty
        } else {
            fields = TextRecordParser.parse(b, start, end, localUTCOffsetSeconds: offset)
        }
        ProseIDScanner.applyTraceparent(inMessage: &fields)
        fields.marker = MarkerFinder.marker(in: fields.message)
        if fields.level == nil, fields.message.unicodeScalars.first == "\u{26A0}" {
            // `console.warn('⚠️ ...')`: the warning sign is the only level such a line has. Without
            // it, a warning written to stderr would count as an error there.
            fields.level = .warn
        }
        return fields
    }
}
