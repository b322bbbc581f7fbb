import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// The desk's import: files uploaded as a browser sends them (multipart/form-data), checked
/// without writing, every refused row listed at its file and line, then imported into a new
/// ledger beside the served one, once; a member cannot; the upload limit is the path's own.
@Suite("Web pages: import at the desk", .serialized)
struct WebImportTests {
    /// Posts `files` and `fields` to `/desk/import` as multipart/form-data, with the browser's cookies.
    static func upload(_ b: Browser, fields: [String: String], files: [String: (String, String)]) throws -> WireResponse {
        let boundary = "----KringTestBoundary\(UInt32.random(in: 0...UInt32.max))"
        var body = ""
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n"
        }
        for (k, (name, text)) in files.sorted(by: { $0.key < $1.key }) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n\(text)\r\n"
        }
        body += "--\(boundary)--\r\n"
        var extra = ["Accept-Language: nl", "Origin: http://test"]
        if !b.cookies.isEmpty { extra.append("Cookie: " + b.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        let c = try RawClient(port: b.server.port)
        c.send(requestBytes("POST", "/desk/import", body: body, contentType: "multipart/form-data; boundary=\(boundary)", extra: extra))
        guard let r = c.read() else { throw ServerTestError("no answer to the upload") }
        b.page = r.text
        return r
    }

    @Test("the coordinator checks TimeOverflow files (nothing written, refused rows at their lines), imports them into a new ledger once; a member cannot")
    func importAtTheDesk() throws {
        let s = try TestServer()
        defer { s.stop() }
        let desk = try WebTests.signedIn(s, "stad", role: .coordinator)
        #expect(try desk.get("/desk/import").status == 200 && desk.page.contains("enctype=\"multipart/form-data\""))
        #expect(WebMatrixTests.markupProblems(desk.page).isEmpty)
        let csrf = desk.hiddenFields(action: "/desk/import")["csrf"] ?? ""
        let f = TimeOverflowFixture(members: 20, transfers: 100, posts: 8)
        let files = ["members": ("members.csv", f.membersReport), "exchanges": ("transfers.csv", f.transfersReport), "offers": ("offers.csv", f.offersReport)]
        let dir = (s.path as NSString).deletingLastPathComponent
        func ledgers() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("import-") } }

        // Checked: all well, nothing written.
        var r = try Self.upload(desk, fields: ["csrf": csrf, "format": "timeoverflow", "step": "check"], files: files)
        #expect(r.status == 200 && desk.page.contains("Alles is in orde: 21 leden, 100 uitwisselingen en 4 zoekertjes; 20 saldi kloppen met de bron."), "\(desk.page)")
        #expect(desk.page.contains("Weggelaten (Kring bewaart geen contactgegevens): email"))
        #expect(ledgers().isEmpty)
        // A refused row is listed at its file and line, in the page's language.
        var broken = f.transfersReport.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        broken[4] = "2024-03-01 10:00,Lid 3 (3),Lid 3 (3),x,0:30"
        r = try Self.upload(desk, fields: ["csrf": csrf, "format": "timeoverflow", "step": "import"],
                            files: files.merging(["exchanges": ("transfers.csv", broken.joined(separator: "\n"))]) { $1 })
        #expect(r.status == 422 && desk.page.contains("transfers.csv, regel 5: rule.self"), "\(desk.page)")
        #expect(ledgers().isEmpty, "a refused row writes nothing, not even with import asked")
        // Imported, once.
        r = try Self.upload(desk, fields: ["csrf": csrf, "format": "timeoverflow", "step": "import"], files: files)
        #expect(r.status == 200 && desk.page.contains("Geïmporteerd in een nieuw grootboek"), "\(desk.page)")
        let made = ledgers().filter { $0.hasSuffix(".sqlite") }
        #expect(made.count == 1)
        let path = dir + "/" + (made.first ?? "")
        #expect(try Verifier.verify(path: path).ok)
        let balances = Dictionary(uniqueKeysWithValues: try Reader(path: path).balances().map { ($0.member, $0.balance.value) })
        for (m, b) in f.balances { #expect(balances[m] == b, "\(m)") }
        r = try Self.upload(desk, fields: ["csrf": csrf, "format": "timeoverflow", "step": "import"], files: files)
        #expect(r.status == 422 && desk.page.contains("al geïmporteerd"))
        #expect(ledgers().filter { $0.hasSuffix(".sqlite") }.count == 1)
        // The served ledger is untouched.
        #expect(try Reader(path: s.path).counts().exchanges == 0)

        // A member's session cannot; a form without its token cannot.
        let an = try WebTests.signedIn(s, "an")
        try an.get("/")
        #expect(try Self.upload(an, fields: ["csrf": an.hiddenFields(action: "/sign-out")["csrf"] ?? "", "step": "check"], files: files).status == 404)
        #expect(try Self.upload(desk, fields: ["step": "check"], files: files).status == 403)
    }

    @Test("the upload path takes files beyond the API's 1 MiB up to its own limit; any other path does not")
    func uploadLimit() throws {
        let s = try TestServer()
        defer { s.stop() }
        let desk = try WebTests.signedIn(s, "stad", role: .coordinator)
        try desk.get("/desk/import")
        let csrf = desk.hiddenFields(action: "/desk/import")["csrf"] ?? ""
        let f = TimeOverflowFixture(members: 200, transfers: 25_000, posts: 0)
        #expect(f.transfersReport.utf8.count > 1 << 20)
        let r = try Self.upload(desk, fields: ["csrf": csrf, "format": "timeoverflow", "step": "check"],
                                files: ["members": ("members.csv", f.membersReport), "exchanges": ("transfers.csv", f.transfersReport)])
        #expect(r.status == 200 && desk.page.contains("Alles is in orde"), "\(r.status) \(desk.page.prefix(500))")
        let big = String(repeating: "x", count: (1 << 20) + 10)
        #expect(try desk.submit("/desk/slips", ["what-0": big]).status == 413)
    }
}
