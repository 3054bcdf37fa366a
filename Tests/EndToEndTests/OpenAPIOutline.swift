import Foundation

/// What the OpenAPI test needs from docs/openapi.yaml, read line by line (the test targets have
/// no YAML parser): every operation under `paths:` with its parameters, resolved through
/// `components/parameters`. It expects the spec's own layout: two-space indentation, parameters
/// given as `- $ref: '#/components/parameters/Name'`, each component with `name:` and `in:`.
struct OpenAPIOutline {
    struct Parameter: Hashable {
        var name: String
        var location: String
    }

    struct Operation {
        var method: String
        var path: String
        var parameters: [Parameter]
        var statuses: [String]
    }

    var operations: [Operation] = []

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func load() throws -> OpenAPIOutline {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try OpenAPIOutline(text: String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8))
    }

    init(text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func key(_ line: String) -> String { String(line.trimmingCharacters(in: .whitespaces).dropLast()) }

        // components/parameters: Name -> (name, in)
        var components: [String: Parameter] = [:]
        var top = "", sub = "", current: String?, name: String?, location: String?
        func closeComponent() {
            if let current, let name, let location { components[current] = Parameter(name: name, location: location) }
            (current, name, location) = (nil, nil, nil)
        }
        for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let depth = indent(line)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if depth == 0 { closeComponent(); top = key(line) }
            if depth == 2 { closeComponent(); sub = key(line) }
            guard top == "components", sub == "parameters" else { continue }
            if depth == 4 { closeComponent(); current = key(line) }
            if depth == 6, trimmed.hasPrefix("name: ") { name = String(trimmed.dropFirst(6)) }
            if depth == 6, trimmed.hasPrefix("in: ") { location = String(trimmed.dropFirst(4)) }
        }
        closeComponent()

        // paths: /path -> method -> parameters ($ref) and response codes
        var inPaths = false, path: String?, operation: Operation?, block = ""
        func closeOperation() {
            if let operation { operations.append(operation) }
            operation = nil
        }
        for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let depth = indent(line)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if depth == 0 { closeOperation(); inPaths = trimmed == "paths:"; continue }
            guard inPaths else { continue }
            if depth == 2 { closeOperation(); path = key(line) }
            if depth == 4 {
                closeOperation()
                guard let path, Self.methods.contains(key(line)) else { throw OutlineError("unexpected line under a path: \(line)") }
                operation = Operation(method: key(line).uppercased(), path: path, parameters: [], statuses: [])
            }
            if depth == 6 { block = key(line) }
            if depth == 8, block == "parameters" {
                guard trimmed.hasPrefix("- $ref: '#/components/parameters/"), trimmed.hasSuffix("'") else {
                    throw OutlineError("parameters must be $refs to components/parameters: \(line)")
                }
                let reference = String(trimmed.dropFirst("- $ref: '#/components/parameters/".count).dropLast())
                guard let parameter = components[reference] else { throw OutlineError("no components/parameters/\(reference)") }
                operation?.parameters.append(parameter)
            }
            if depth == 8, block == "responses" { operation?.statuses.append(key(line).trimmingCharacters(in: CharacterSet(charactersIn: "'"))) }
        }
        closeOperation()
    }
}

struct OutlineError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
