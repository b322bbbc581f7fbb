import Foundation
import KringCore
@testable import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// docs/openapi.yaml as JSON: converted by Python's YAML reader (installed by `.ci/run`, as the
/// other outside tools are), so the test reads the very document people read.
enum OpenAPIDocument {
    static func load() throws -> JSON {
        let path = OpenAPITests.documentPath
        let script = "import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
        for python in ["/usr/bin/python3", "/usr/local/bin/python3", "/root/.pyenv/shims/python3"] where FileManager.default.isExecutableFile(atPath: python) {
            let r = try runProcess(python, ["-c", script, path])
            if r.status == 0 { return try JSON.parse(Array(r.stdout.utf8)) }
        }
        throw ServerTestError("no python3 with the yaml module to read docs/openapi.yaml (apt-get install python3-yaml)")
    }
}

/// A validator for the JSON Schema keywords docs/openapi.yaml uses: `$ref`, `type` (with
/// `null` and lists of types), `required`, `properties`, `additionalProperties`, `enum`,
/// `const`, `pattern`, `minLength`, `maxLength`, `minimum`, `maximum`, `items`, `minItems`,
/// `format: date`, `allOf`, `oneOf`. Anything else in a schema is refused, so the document
/// cannot use a keyword this validator silently ignores.
struct SchemaValidator {
    let document: JSON
    static let known: Set<String> = ["$ref", "type", "required", "properties", "additionalProperties", "enum", "const", "pattern", "minLength",
                                     "maxLength", "minimum", "maximum", "items", "minItems", "maxItems", "format", "allOf", "oneOf", "description", "examples", "default"]

    func resolve(_ schema: JSON) -> JSON {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return schema }
        var node = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
        return resolve(node)
    }

    /// The problems of `value` against `schema`, each with where it is.
    func errors(_ value: JSON, _ schemaIn: JSON, at path: String = "$") -> [String] {
        let schema = resolve(schemaIn)
        guard case .object(let s) = schema else { return ["\(path): the schema is not an object"] }
        var out = [String]()
        for key in s.keys where !SchemaValidator.known.contains(key) { out.append("\(path): the schema uses \(key), which this validator does not know") }
        if let all = s["allOf"]?.arrayValue { for sub in all { out += errors(value, sub, at: path) } }
        if let one = s["oneOf"]?.arrayValue {
            let matching = one.filter { errors(value, $0, at: path).isEmpty }.count
            if matching != 1 { out.append("\(path): matches \(matching) of the oneOf schemas, not exactly one") }
        }
        if let t = s["type"] {
            let types = t.stringValue.map { [$0] } ?? t.arrayValue?.compactMap(\.stringValue) ?? []
            let fits = types.contains { type in
                switch (type, value) {
                case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("string", .string), ("array", .array), ("object", .object): return true
                default: return false
                }
            }
            if !fits { return out + ["\(path): \(value.canonicalString.prefix(60)) is not of type \(types)"] }
        }
        if let e = s["enum"]?.arrayValue, !e.contains(value) { out.append("\(path): \(value.canonicalString.prefix(60)) is not one of \(e.map(\.canonicalString))") }
        if let c = s["const"], c != value { out.append("\(path): is not \(c.canonicalString)") }
        if case .string(let str) = value {
            if let p = s["pattern"]?.stringValue, str.range(of: p, options: .regularExpression) == nil { out.append("\(path): \"\(str.prefix(60))\" does not match \(p)") }
            if let n = s["minLength"]?.intValue, str.count < n { out.append("\(path): shorter than \(n)") }
            if let n = s["maxLength"]?.intValue, str.count > n { out.append("\(path): longer than \(n)") }
            if s["format"]?.stringValue == "date", Day(iso: str) == nil { out.append("\(path): \"\(str)\" is not a date") }
        }
        if case .int(let n) = value {
            if let m = s["minimum"]?.intValue, n < m { out.append("\(path): \(n) is below \(m)") }
            if let m = s["maximum"]?.intValue, n > m { out.append("\(path): \(n) is above \(m)") }
        }
        if case .array(let items) = value {
            if let m = s["minItems"]?.intValue, items.count < m { out.append("\(path): fewer than \(m) items") }
            if let m = s["maxItems"]?.intValue, items.count > m { out.append("\(path): more than \(m) items") }
            if let itemSchema = s["items"] { for (i, item) in items.enumerated() { out += errors(item, itemSchema, at: "\(path)[\(i)]") } }
        }
        if case .object(let o) = value {
            let props = s["properties"]?.objectValue ?? [:]
            for r in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[r] == nil { out.append("\(path): \(r) is required") }
            for (k, v) in o {
                if let ps = props[k] { out += errors(v, ps, at: "\(path).\(k)") }
                else if let extra = s["additionalProperties"] {
                    if extra == .bool(false) { out.append("\(path): \(k) is not a property of the schema") }
                    else if case .object = extra { out += errors(v, extra, at: "\(path).\(k)") }
                }
            }
        }
        return out
    }

    /// All properties and required names of a schema, through `allOf`.
    func shape(_ schemaIn: JSON) -> (properties: [String: JSON], required: [String]) {
        let schema = resolve(schemaIn)
        var props = schema["properties"]?.objectValue ?? [:]
        var required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for sub in schema["allOf"]?.arrayValue ?? [] {
            let (p, r) = shape(sub)
            props.merge(p) { a, _ in a }
            required += r
        }
        return (props, required)
    }

    /// A value the schema accepts, from what it says: the example id of an id type, an enum's
    /// first value, a date for `format: date`, the bound of a number, an example, else a word.
    func sample(_ schemaIn: JSON, name: String, boundary: Bool) -> JSON {
        let schema = resolve(schemaIn)
        if let ref = schemaIn["$ref"]?.stringValue {
            switch ref.split(separator: "/").last.map(String.init) ?? "" {
            case "MemberID": return .string(name == "to" || name == "borrower" || name == "receivers" ? "bram" : "an")
            case "ExchangeID": return .string("ex-1")
            case "ListingID", "OfferID": return .string("of-1")
            case "BookingID": return .string("bk-1")
            case "LoanID": return .string("ln-1")
            case "ChallengeID": return .string("ch-1")
            case "ExchangeLink", "RequestID": return .string("rq-2")
            default: break
            }
        }
        if let c = schema["const"] { return c }
        if let e = schema["enum"]?.arrayValue, let first = boundary ? e.last : e.first { return first }
        if let one = schema["oneOf"]?.arrayValue, let first = one.last { return sample(first, name: name, boundary: boundary) }
        if schema["allOf"] != nil || schema["properties"] != nil {
            let (props, required) = shape(schema)
            var o = [String: JSON]()
            for r in required { o[r] = sample(props[r] ?? .object([:]), name: r, boundary: boundary) }
            return .object(o)
        }
        let types = schema["type"].flatMap { $0.stringValue.map { [$0] } ?? $0.arrayValue?.compactMap(\.stringValue) } ?? ["string"]
        switch types.first(where: { $0 != "null" }) ?? "null" {
        case "integer":
            if boundary, let m = schema["maximum"]?.intValue { return .int(m) }
            return .int(schema["minimum"]?.intValue.map { max($0, 0) } ?? 60)
        case "boolean": return .bool(true)
        case "array":
            let item = schema["items"].map { sample($0, name: name, boundary: boundary) } ?? .string("x")
            return .array([item])
        case "object": return .object([:])
        case "null": return .null
        default:
            if schema["format"]?.stringValue == "date" { return .string(boundary ? "2026-06-15" : "2026-06-01") }
            if let ex = schema["examples"]?.arrayValue?.first { return ex }
            // A pattern the document uses, and a text it matches.
            if let p = schema["pattern"]?.stringValue {
                let known: [String: String] = ["^[1-9][0-9]{0,18}$": "1", "^(ln|of|rq|ch)-[1-9][0-9]{0,18}$": "ch-1", "^[a-z][a-z0-9-]{0,39}$": "care"]
                if let sample = known[p] { return .string(sample) }
            }
            switch name {
            case "domain": return .string("care")
            case "domains": return .string("care")
            case "setting": return .string("quantum")
            case "value": return .string("15m")
            case "q": return .string("zaal")
            default:
                let n = boundary ? (schema["maxLength"]?.intValue ?? 40) : max(1, schema["minLength"]?.intValue ?? 1)
                return .string(String(repeating: "w", count: Int(n)))
            }
        }
    }
}

extension JSON {
    var objectValue: [String: JSON]? { if case .object(let o) = self { return o }; return nil }
}

@Suite("The API contract", .serialized)
struct ContractTests {
    /// Every operation, called with requests built only from its schema (minimal valid values,
    /// then boundary values), as the public, a member or the coordinator as its security says:
    /// the status is one the operation lists, and the body matches the schema listed for it.
    @Test func everyOperationAnswersAsDocumented() throws {
        let document = try OpenAPIDocument.load()
        let v = SchemaValidator(document: document)
        let s = try TestServer()
        defer { s.stop() }
        // Something for the ids in the samples to name.
        _ = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody("an", "bram"), key: newKey())
        _ = try s.call("POST", "/v1/offers", token: s.coordinator, body: "{\"author\":\"an\",\"kind\":\"space\",\"domain\":\"care\",\"title\":\"Zaal\"}", key: newKey())
        _ = try s.call("POST", "/v1/requests", token: s.coordinator, body: "{\"author\":\"bram\",\"kind\":\"time\",\"domain\":\"care\",\"title\":\"Hulp\"}", key: newKey())
        guard let paths = document["paths"]?.objectValue else { Issue.record("no paths"); return }
        var calls = 0
        var failures = [String]()
        for (template, item) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, op) in item.objectValue ?? [:] where method == "get" || method == "post" {
                let responses = op["responses"]?.objectValue ?? [:]
                let open = op["security"]?.arrayValue?.isEmpty == true
                let params = (op["parameters"]?.arrayValue ?? []).map { v.resolve($0) }
                let body = op["requestBody"]?["content"]?["application/json"]?["schema"]
                for boundary in [false, true] {
                    var path = template
                    var query = [String]()
                    for p in params {
                        guard let name = p["name"]?.stringValue, let schema = p["schema"] else { continue }
                        let value = v.sample(schema, name: name, boundary: boundary)
                        let text = value.stringValue ?? value.canonicalString
                        switch p["in"]?.stringValue {
                        case "path": path = path.replacingOccurrences(of: "{\(name)}", with: text)
                        case "query" where p["required"] == .bool(true) || boundary: query.append("\(name)=\(percentEncoded(text))")
                        default: break
                        }
                    }
                    let target = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                    let bodyText = body.map { v.sample($0, name: "", boundary: boundary).canonicalString }
                    let r = try s.call(method.uppercased(), target, token: open ? nil : s.coordinator, body: method == "post" ? (bodyText ?? "{}") : nil,
                                       key: method == "post" ? newKey() : nil)
                    calls += 1
                    let where_ = "\(method.uppercased()) \(target) \(bodyText ?? "")"
                    // The request says only what the document allows: it is never malformed.
                    if r.status == 400 { failures.append("\(where_): refused as malformed (\(r.code ?? "")): \(r.json?["detail"]?.stringValue ?? "")") }
                    guard let documented = responses[String(r.status)] else {
                        failures.append("\(where_): answered \(r.status) (\(r.code ?? "")), which the document does not list")
                        continue
                    }
                    let response = v.resolve(documented)
                    let type = (r.header("Content-Type") ?? "").split(separator: ";").first.map(String.init) ?? ""
                    guard let content = response["content"]?.objectValue else { continue }
                    guard let schema = content[type]?["schema"] else {
                        failures.append("\(where_): \(r.status) as \(type), which the document does not list for it")
                        continue
                    }
                    if type.hasSuffix("json") {
                        guard let json = r.json else { failures.append("\(where_): \(r.status) body is not JSON"); continue }
                        let errors = v.errors(json, schema)
                        if !errors.isEmpty { failures.append("\(where_): \(r.status) body: \(errors.prefix(3))") }
                    }
                }
            }
        }
        #expect(calls > 100)
        #expect(failures.isEmpty, "\(failures.count) contract failures:\n\(failures.joined(separator: "\n"))")
    }
}

@Suite("Allow headers")
struct AllowTests {
    /// A path names the resource of its most specific template: `/v1/exchanges/recorded` is the
    /// POST-only resource, not an exchange called "recorded".
    @Test func allowListsTheMethodsOfTheResourceTheRequestNames() throws {
        let s = try TestServer()
        defer { s.stop() }
        for method in ["GET", "PUT", "DELETE"] {
            let r = try s.call(method, "/v1/exchanges/recorded", token: s.coordinator)
            #expect(r.status == 405 && r.header("Allow") == "POST", "\(method): \(r.status) \(r.header("Allow") ?? "")")
        }
        let get = try s.call("POST", "/v1/exchanges/ex-1", token: s.coordinator, body: "{}", key: newKey())
        #expect(get.status == 405 && get.header("Allow") == "GET, HEAD")
        #expect(try s.call("GET", "/v1/exchanges/ex-1", token: s.coordinator).status == 404)
    }
}
