/// The words of the generated records: message variants, errors and stack frames.
enum SampleText {
    static let progress: [StaticString] = [
        "Calling model", "Model response received", "Tool call: read_file", "Tool call: run_tests",
        "Fetched repository context", "Wrote patch", "Embedding cache miss", "Plan updated",
        "Step completed", "Validating output", "Prompt tokens counted", "Checkpoint saved",
    ]

    static let retries: [StaticString] = [
        "slow upstream, retrying", "model overloaded, backing off", "lock busy, retrying",
    ]

    struct Failure {
        var type: StaticString
        var message: StaticString
        var code: StaticString?
        var cause: StaticString?
    }

    static let failures: [Failure] = [
        Failure(type: "Error", message: "publish failed: ECONNRESET", code: "E_PUB", cause: "Error: ECONNRESET"),
        Failure(type: "TimeoutError", message: "model call timed out after 30000ms", code: "ETIMEDOUT", cause: nil),
        Failure(type: "TypeError", message: "Cannot read properties of undefined (reading 'id')", code: nil, cause: nil),
        Failure(type: "Error", message: "rate limited by upstream (429)", code: "E_RATE", cause: nil),
        Failure(type: "ValidationError", message: "agent output failed schema validation", code: "E_SCHEMA", cause: nil),
    ]

    struct Frame {
        var function: StaticString
        var file: StaticString
        /// A frame inside Node itself: `(node:internal/...:95:5)`, no app directory.
        var isInternal = false
    }

    static let frames: [Frame] = [
        Frame(function: "AgentRunner.execute", file: "runner"),
        Frame(function: "async ToolBox.call", file: "tools"),
        Frame(function: "ModelClient.complete", file: "model"),
        Frame(function: "RedisBus.publish", file: "bus"),
        Frame(function: "async Dispatcher.run", file: "dispatch"),
        Frame(function: "Orchestrator.collect", file: "orchestrator"),
        Frame(function: "Schema.validate", file: "schema"),
        Frame(function: "process.processTicksAndRejections", file: "node:internal/process/task_queues", isInternal: true),
    ]

    static let heartbeats: [StaticString] = [
        "heartbeat", "queue depth sampled", "redis connected", "cache stats", "config reloaded",
    ]

    static let agentQueues: [StaticString] = ["tasks", "priority", "retries"]
}
