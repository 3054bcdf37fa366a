extension RecordRenderer {
    // MARK: stack traces

    enum StackStyle {
        /// Inside a JSON string: `\n` escaped, `caused by:` kept (pino's err serializer).
        case jsonEscaped
        /// pino-pretty: every line indented by ten spaces, no final newline.
        case prettyIndented
        /// As Node prints `err.stack`: raw lines, no final newline, no cause.
        case raw
    }

    func stack(_ f: RecordFields, style: StackStyle, into out: inout [UInt8]) {
        let failure = SampleText.failures[max(0, f.failure)]
        let pad: StaticString = style == .prettyIndented ? "          " : ""
        func newline(_ out: inout [UInt8]) {
            if style == .jsonEscaped { out.put("\\n") } else { out.put(byte: UInt8(ascii: "\n")) }
            out.put(pad)
        }
        out.put(pad)
        out.put(failure.type)
        out.put(": ")
        out.put(failure.message)
        let frameCount = 3 + f.detail % 3
        let frames = SampleText.frames
        for i in 0..<frameCount {
            let frame = i == frameCount - 1 ? frames[frames.count - 1] : frames[(f.detail + i * 3) % (frames.count - 1)]
            newline(&out)
            out.put("    at ")
            out.put(frame.function)
            out.put(" (")
            if !frame.isInternal {
                out.put(sourceDirectories[f.process])
                out.put(byte: UInt8(ascii: "/"))
            }
            out.put(frame.file)
            if !frame.isInternal { out.put(".js") }
            out.put(byte: UInt8(ascii: ":"))
            out.put(decimal: 10 + (f.detail * 37 + i * 53) % 400)
            out.put(byte: UInt8(ascii: ":"))
            out.put(decimal: 5 + (f.detail + i * 7) % 30)
            out.put(byte: UInt8(ascii: ")"))
        }
        if style != .raw, let cause = failure.cause {
            newline(&out)
            out.put("caused by: ")
            out.put(cause)
            newline(&out)
            out.put("    at Socket.onClose (node:net:")
            out.put(decimal: 300 + f.detail)
            out.put(":12)")
        }
    }

    /// An uncaught exception as PM2 writes it to the error file: `err.stack` and a newline.
    func bareStack(_ f: RecordFields, into out: inout [UInt8]) {
        stack(f, style: .raw, into: &out)
        out.put(byte: UInt8(ascii: "\n"))
    }
}
