import Testing
@testable import TraceTailCore

/// Ids where real apps write them beyond plain fields: ECS nested objects, NestJS `[traceId: ...]`
/// prose, and a W3C traceparent inside a message. (Lines from the libraries' own output, see
/// Tests/Fixtures/libraries.)
@Suite("Ids in prose, nested objects and traceparents")
struct ProseIDTests {
    static let cases: [(String, Expected)] = [
        // ECS (ecs-pino-format): {"trace":{"id"}}, {"span":{"id"}}; a `transaction.id` is neither.
        (#"{"log.level":"info","trace":{"id":"5e0f2a91c3d84b7a9f61e2d07b3c4a18"},"span":{"id":"b91e4c07d2a3f615"},"transaction":{"id":"9745a2073d04727e"},"message":"cache warm"}"#,
         Expected(message: "cache warm", time: nil, level: .info, trace: "5e0f2a91c3d84b7a9f61e2d07b3c4a18", span: "b91e4c07d2a3f615", format: .pinoJSON)),
        // An `id` that is not directly inside `trace` or `span` is not an id of ours.
        (#"{"level":30,"id":"5e0f2a91c3d84b7a9f61e2d07b3c4a18","trace":{"sampled":true,"meta":{"id":"b91e4c07d2a3f615"}},"msg":"plain"}"#,
         Expected(message: "plain", time: nil, level: .info, format: .pinoJSON)),
        // NestJS: `[traceId: <uuid>]` in the text.
        ("[Nest] 8817  - 11/29/2026, 9:06:42 PM    WARN [NotificationService] [traceId: d41f8a2c-90b7-4e3a-a5c1-7f62e0b9d3c4] rate limited +14ms",
         Expected(message: "[Nest] 8817  - 11/29/2026, 9:06:42 PM    WARN [NotificationService] [traceId: d41f8a2c-90b7-4e3a-a5c1-7f62e0b9d3c4] rate limited +14ms",
                  time: nil, level: nil, trace: "d41f8a2c90b74e3aa5c17f62e0b9d3c4", format: .text)),
        ("charge captured traceId: 4bf92f3577b34da6a3ce929d0e0e4736, spanId: 00f067aa0ba902b7; taskId: t-7",
         Expected(message: "charge captured traceId: 4bf92f3577b34da6a3ce929d0e0e4736, spanId: 00f067aa0ba902b7; taskId: t-7",
                  time: nil, level: nil, trace: IDs.traceB, span: IDs.spanA, task: "t-7", format: .text)),
        // The sentence's punctuation and the value's quotes are not the id's.
        ("charge captured traceId: 4bf92f3577b34da6a3ce929d0e0e4736. spanId: '00f067aa0ba902b7'!",
         Expected(message: "charge captured traceId: 4bf92f3577b34da6a3ce929d0e0e4736. spanId: '00f067aa0ba902b7'!",
                  time: nil, level: nil, trace: IDs.traceB, span: IDs.spanA, format: .text)),
        (#"retrying taskId: "t-7""#, Expected(message: #"retrying taskId: "t-7""#, time: nil, level: nil, task: "t-7", format: .text)),
        ("forwarded with traceparent 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01.",
         Expected(message: "forwarded with traceparent 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01.", time: nil, level: nil,
                  trace: "7a1c93e5b40f4d2e8c6a15f9e2d07b38", parent: "3e9d51a7c0b284f6", format: .text)),
        // A word that only ends like a key is not one; neither is a key with no value.
        ("retraceId: 4bf92f3577b34da6a3ce929d0e0e4736 and traceId: ", Expected(message: "retraceId: 4bf92f3577b34da6a3ce929d0e0e4736 and traceId:", time: nil, level: nil, format: .text)),
        // A traceparent inside a JSON message names the trace and the parent span.
        (#"{"level":30,"time":1795987883069,"msg":"forwarding upstream with traceparent: 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01"}"#,
         Expected(message: "forwarding upstream with traceparent: 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01", time: 1_795_987_883_069,
                  level: .info, trace: "7a1c93e5b40f4d2e8c6a15f9e2d07b38", parent: "3e9d51a7c0b284f6", format: .pinoJSON)),
        // ... and in text; the record's own trace id, when it has one, wins.
        ("[Nest] 1  - 11/29/2026  LOG [Http] calling billing 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01",
         Expected(message: "[Nest] 1  - 11/29/2026  LOG [Http] calling billing 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01",
                  time: nil, level: nil, trace: "7a1c93e5b40f4d2e8c6a15f9e2d07b38", parent: "3e9d51a7c0b284f6", format: .text)),
        (#"{"level":30,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"got 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01"}"#,
         Expected(message: "got 00-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01", time: nil, level: .info, trace: IDs.traceB, format: .pinoJSON)),
        // Not a traceparent: wrong version field, part of a longer token, all-zero trace.
        ("id 0x-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01 x", Expected(message: "id 0x-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01 x", time: nil, level: nil, format: .text)),
        ("a100-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01", Expected(message: "a100-7a1c93e5b40f4d2e8c6a15f9e2d07b38-3e9d51a7c0b284f6-01", time: nil, level: nil, format: .text)),
        ("00-00000000000000000000000000000000-3e9d51a7c0b284f6-01", Expected(message: "00-00000000000000000000000000000000-3e9d51a7c0b284f6-01", time: nil, level: nil, format: .text)),
        // winston `printf()` writing `${stack} ${JSON.stringify(meta)}` under a PM2 `--time` prefix:
        // one record, the logged line its message, the ids those of the meta after the last frame.
        ("2026-11-29T21:31:23: 2026-11-29T21:31:23.410Z [ERROR] card declined ev-3007\n2026-11-29T21:31:23: Error: card declined ev-3007\n"
            + "2026-11-29T21:31:23:     at Object.chargeCard (/srv/app/src/gen.js:69:27)\n"
            + #"2026-11-29T21:31:23:     at async child (/srv/app/src/gen.js:375:3) {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01"}"#,
         Expected(message: "2026-11-29T21:31:23.410Z [ERROR] card declined ev-3007", time: 1_795_987_883_000, level: .error, trace: IDs.traceB, span: IDs.spanA, format: .stackTrace)),
        // NestJS `logger.error(msg, stack)`: the id in the logged line's prose.
        ("[Nest] 7  - 11/29/2026, 9:31:23 PM   ERROR [Billing] [traceId: 4bf92f3577b34da6a3ce929d0e0e4736] card declined\nError: card declined\n    at f (x.js:1:1)",
         Expected(message: "[Nest] 7  - 11/29/2026, 9:31:23 PM   ERROR [Billing] [traceId: 4bf92f3577b34da6a3ce929d0e0e4736] card declined",
                  time: nil, level: .error, trace: IDs.traceB, format: .stackTrace)),
        // A bare stack keeps its error line as the message; a brace that opens no JSON object is no meta.
        ("TypeError: x is undefined\n    at f (x.js:1:1) {a}", Expected(message: "TypeError: x is undefined", time: nil, level: .error, format: .stackTrace)),
    ]

    @Test("each way of writing an id is found, and look-alikes are not", arguments: cases)
    func found(_ input: String, _ expected: Expected) {
        expected.check(Support.parse(input))
    }
}
