import Foundation
import KringCore
import KringHTTP
import KringTestSupport
import Testing

/// docs/openapi.yaml and the router describe the same API.
@Suite("OpenAPI document")
struct OpenAPITests {
    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml").path
    }

    /// (method, path) → tags and whether it is public, read from the document's `paths`.
    static func operations() throws -> [String: (tag: String, open: Bool)] {
        let text = try String(contentsOfFile: documentPath, encoding: .utf8)
        var ops = [String: (String, Bool)]()
        var inPaths = false
        var path: String?
        var method: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") { path = String(line.dropFirst(2).dropLast()); continue }
            if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let p = path {
                method = String(line.dropFirst(4).dropLast()).uppercased()
                ops["\(method!) \(p)"] = ("", false)
                continue
            }
            if let p = path, let m = method, line.hasPrefix("      tags: [") {
                ops["\(m) \(p)"]!.0 = String(line.dropFirst("      tags: [".count).dropLast())
            }
            if let p = path, let m = method, line == "      security: []" { ops["\(m) \(p)"]!.1 = true }
        }
        return ops
    }

    @Test("the router's routes and the document's paths and methods are the same set, with the same access")
    func sameRoutes() throws {
        let s = try TestServer()
        defer { s.stop() }
        let doc = try Self.operations()
        let routes = Set(s.api.routeTable.map { "\($0.method) \($0.template)" })
        #expect(doc.count > 40)
        #expect(Set(doc.keys) == routes, "only in the document: \(Set(doc.keys).subtracting(routes).sorted()); only in the router: \(routes.subtracting(doc.keys).sorted())")
        for r in s.api.routeTable {
            guard let op = doc["\(r.method) \(r.template)"] else { continue }
            #expect(op.open == (r.access == .public), "\(r.method) \(r.template): security in the document differs")
            let tag = r.access == .public ? "public" : r.access == .coordinator ? "coordinator" : "member"
            #expect(op.tag == tag, "\(r.method) \(r.template): tagged \(op.tag), routed as \(tag)")
        }
    }

    @Test("a problem's field is one of the inputs the document names, and the document names every one the core uses")
    func problemFields() throws {
        let text = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        let listed = "enum: [" + Field.allCases.map(\.rawValue).joined(separator: ", ") + "]"
        #expect(text.contains(listed), "docs/openapi.yaml's Problem.field should read \(listed)")
    }
}
