import Foundation
import KringCore
import KringCrypto
import KringStore

/// Bringing a circle over from another time bank at the desk (coordinator logins only): the
/// files uploaded in one form (`multipart/form-data`, up to `HTTPLimits.maxUploadBytes`), checked
/// as `kring import --dry-run` checks them, every refused row listed at its file and line; and
/// when all is well, imported all or nothing into a new ledger beside the one this server
/// serves (an import starts a circle, docs/import.md), named after the files' SHA-256 so the same
/// files never make two ledgers.
extension Web {
    func importPage(_ page: Request, result: ((outcome: ImportOutcome, plan: ImportPlan, path: String, dry: Bool))? = nil, error: String? = nil,
                    status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        return document(page, title: Word.importTitle.text(l), status: status) { h in
            if let error { errorSummary(&h, l, [(error, "members")]) }
            if let r = result {
                h.element("section", [("id", "result"), ("aria-labelledby", "result-title")]) { s in
                    let o = r.outcome
                    if !o.ok {
                        s.element("h2", [("id", "result-title")], text: Word.importProblems.text(l, String(o.problems.count)))
                        s.element("ul", [("class", "items")]) { ul in
                            for p in o.problems {
                                ul.element("li", text: Word.importLine.text(l, p.file, String(p.line), p.code.rawValue, p.violation?.sentence(in: l) ?? p.sentence))
                            }
                        }
                    } else if r.dry {
                        s.element("h2", [("id", "result-title")], text: Word.importDryOK.text(l, String(o.members), String(o.exchanges), String(o.listings), String(o.checked)))
                    } else {
                        s.element("h2", [("id", "result-title")], text: Word.importDone.text(l, r.path))
                        s.element("pre", text: Importer.nextSteps(r.plan, path: r.path).joined(separator: "\n"))
                    }
                    if !r.plan.leftOut.isEmpty { s.element("p", text: Word.importLeftOut.text(l, r.plan.leftOut.joined(separator: ", "))) }
                }
            }
            h.element("p", text: Word.importIntro.text(l))
            h.element("form", [("method", "post"), ("action", HTTPLimits.uploadPath), ("enctype", "multipart/form-data"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                radios(&f, "format", Word.importFormat.text(l), "timeoverflow", [("timeoverflow", Word.importTimeOverflow.text(l)), ("csv", Word.importGeneric.text(l))])
                for (name, label) in [("members", Word.fileMembers), ("exchanges", .fileExchanges), ("offers", .fileOffers), ("inquiries", .fileInquiries), ("mapping", .fileMapping)] {
                    field(&f, id: name, label: label.text(l), hint: nil, error: nil,
                          attributes: [("type", "file"), ("name", name), ("accept", ".csv,.txt,text/csv,text/plain")])
                }
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "check")], text: Word.importCheck.text(l))
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "import"), ("class", "secondary")], text: Word.importRun.text(l))
            }
        }
    }

    /// Checks the uploaded files, and imports them into a new ledger when asked and all is well.
    func deskImport(_ page: inout Request) throws -> HTTPResponse {
        let session = try requireCoordinatorSession(page)
        try page.checkOrigin()
        let l = page.language
        guard let boundary = Multipart.boundary(page.raw.header("content-type")),
              let parts = Multipart.parts(Data(page.raw.body), boundary: boundary) else { throw PageError.forbidden }
        var fields = [String: String](), files = [String: ImportFile]()
        var unreadable: String?
        for p in parts {
            guard let name = p.filename else { fields[p.name] = String(decoding: p.data, as: UTF8.self); continue }
            guard !p.data.isEmpty else { continue }
            do { files[p.name] = try ImportFile(name: name.isEmpty ? p.name : (name as NSString).lastPathComponent, data: p.data) } catch { unreadable = error.description }
        }
        // The form's token, as every signed-in form carries.
        guard let token = fields["csrf"], constantTimeEqual(Array(token.utf8), Array(session.csrf.utf8)) else { throw PageError.forbidden }
        if let unreadable { return try importPage(page, error: unreadable, status: 422) }
        guard let members = files["members"], let exchanges = files["exchanges"] else { return try importPage(page, error: Word.importNoFiles.text(l), status: 422) }
        var mapping = ImportMapping.standard
        if let part = parts.first(where: { $0.name == "mapping" && !$0.data.isEmpty }) {
            do { mapping = try ImportMapping(text: String(decoding: part.data, as: UTF8.self), policyDomains: Policy.standard.domains) } catch {
                return try importPage(page, error: error.description, status: 422)
            }
        }
        let reader = ImportReader(mapping: mapping)
        let plan = fields["format"] == "csv" ? reader.generic(members: members, exchanges: exchanges)
            : reader.timeOverflow(members: members, transfers: exchanges, offers: files["offers"], inquiries: files["inquiries"], adminPosts: nil)
        let dry = fields["step"] != "import"
        // Beside the served ledger, named after the files: the same files make one ledger.
        let digest = SHA256.hash(Array((members.sha256 + exchanges.sha256).utf8)).hexString.prefix(12)
        let dir = (api.path as NSString).deletingLastPathComponent
        let path = (dir.isEmpty ? "." : dir) + "/import-\(digest).sqlite"
        if !dry && FileManager.default.fileExists(atPath: path) { return try importPage(page, error: Word.importExists.text(l, path), status: 422) }
        let target = dry ? (dir.isEmpty ? "." : dir) + "/import-check-\(Web.newKey()).sqlite" : path
        let outcome = try Importer.run(plan, to: target, now: api.clock(), dryRun: dry)
        return try importPage(page, result: (outcome, plan, path, dry), status: outcome.ok ? 200 : 422)
    }
}
