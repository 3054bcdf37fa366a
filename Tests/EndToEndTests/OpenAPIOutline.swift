import Foundation
import Yams

/// What the OpenAPI test needs from docs/openapi.yaml, read with Yams: every operation under
/// `paths:` with its parameters (inline, or `$ref`s into `components/parameters`) and the response
/// codes it documents.
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
        guard let document = try Yams.load(yaml: text) as? [String: Any] else { throw OutlineError("not a YAML mapping") }
        let components = ((document["components"] as? [String: Any])?["parameters"] as? [String: Any]) ?? [:]
        func parameter(_ entry: Any) throws -> Parameter {
            var object = entry as? [String: Any] ?? [:]
            if let reference = object["$ref"] as? String {
                let prefix = "#/components/parameters/"
                guard reference.hasPrefix(prefix), let resolved = components[String(reference.dropFirst(prefix.count))] as? [String: Any] else {
                    throw OutlineError("unresolvable parameter reference \(reference)")
                }
                object = resolved
            }
            guard let name = object["name"] as? String, let location = object["in"] as? String else {
                throw OutlineError("a parameter without name or in: \(object)")
            }
            return Parameter(name: name, location: location)
        }
        guard let paths = document["paths"] as? [String: Any] else { throw OutlineError("no paths") }
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard let item = item as? [String: Any] else { throw OutlineError("\(path) is not a mapping") }
            for (method, body) in item.sorted(by: { $0.key < $1.key }) {
                guard Self.methods.contains(method) else { throw OutlineError("unexpected key under \(path): \(method)") }
                let operation = body as? [String: Any] ?? [:]
                let parameters = try (operation["parameters"] as? [Any] ?? []).map(parameter)
                let statuses = (operation["responses"] as? [AnyHashable: Any] ?? [:]).keys.map { "\($0)" }
                operations.append(Operation(method: method.uppercased(), path: path, parameters: parameters, statuses: statuses))
            }
        }
    }
}

struct OutlineError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
