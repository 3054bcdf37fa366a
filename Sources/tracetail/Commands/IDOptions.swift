import ArgumentParser
import Foundation
import TraceTailCore
import TraceTailStore
import TraceTailQuery

/// Which id a reading command (`logs`, `tail`) looks records up by: exactly one of four. A trace
/// id may also be given alone (`tracetail logs <trace>`), the commonest question.
struct IDOptions: ParsableArguments {
    @Argument(help: "A trace id (the same as --trace).")
    var traceArgument: String?

    @Option(help: "A trace id: a UUID, 32 hex characters, or an opaque id.")
    var trace: String?

    @Option(help: "A span id: 16 hex characters or an opaque id.")
    var span: String?

    @Option(help: "A workflow id, as the Workflow row holds it.")
    var workflow: String?

    @Option(help: "A task id, as the AgentTask row holds it.")
    var task: String?

    func validate() throws {
        let given = [traceArgument, trace, span, workflow, task].compactMap { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one id: a trace id alone, or one of --trace, --span, --workflow, --task")
        }
    }

    func requested() throws -> RequestedID {
        let (kind, text): (IDKind, String) =
            if let trace = trace ?? traceArgument { (.trace, trace) } else if let span { (.span, span) } else if let workflow { (.workflow, workflow) } else { (.task, task ?? "") }
        return try CLIError.wrapping { try RequestedID(kind: kind, text: text) }
    }
}
