import Foundation
import KringCore
import KringStore

/// The statement and the settings of the signed-in member.
extension Web {
    /// The period a statement covers: `from` and `to` in the query, by default the last twelve
    /// months up to today.
    func period(_ page: Request) throws -> (from: Day, to: Day) {
        let today = try today()
        let q = page.query
        let to = q["to"].flatMap(Day.init(iso:)) ?? today
        let from = q["from"].flatMap(Day.init(iso:)) ?? to - 365
        return from <= to ? (from, to) : (to, from)
    }

    /// Month by month with the running balance, printable, carrying the ledger head it was
    /// made at; a link to the same as CSV.
    func statementPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let (from, to) = try period(page)
        guard let s = try api.read({ try $0.statement(session.login.member, from: from, to: to) }) else { throw PageError.notFound }
        return document(page, title: Word.statementTitle.text(l)) { h in
            h.element("form", [("method", "get"), ("action", "/statement")]) { f in
                field(&f, id: "from", label: Word.periodFrom.text(l), hint: nil, error: nil, attributes: [("type", "date"), ("name", "from"), ("value", from.description)])
                field(&f, id: "to", label: Word.periodTo.text(l), hint: nil, error: nil, attributes: [("type", "date"), ("name", "to"), ("value", to.description)])
                f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.show.text(l))
            }
            h.element("p") { $0.element("a", [("href", "/statement.csv?from=\(from)&to=\(to)")], text: Word.downloadCSV.text(l)) }
            h.element("p", text: "\(Word.opening.text(l)): \(l.amount(s.opening))")
            if s.lines.isEmpty { h.element("p", text: Word.noLines.text(l)) }
            var month = ""
            var rows = [StatementLine]()
            func table(_ h: inout HTML, _ title: String, _ rows: [StatementLine]) {
                guard !rows.isEmpty else { return }
                h.element("h2", text: title)
                h.element("table") { t in
                    t.element("thead") { $0.element("tr") { tr in
                        for w in [Word.colDate, .colDescription, .colWith, .colAmount, .colBalance] { tr.element("th", [("scope", "col")], text: w.text(l)) }
                    } }
                    t.element("tbody") { body in
                        for line in rows {
                            body.element("tr") { tr in
                                tr.element("td", text: l.day(line.day))
                                tr.element("td") { td in
                                    if let x = line.exchange { td.element("a", [("href", "/exchanges/\(x)")], text: line.description) } else { td.text(line.description) }
                                    td.text(" (\(line.kind.word.text(l)))")
                                }
                                tr.element("td", text: line.counterparty.handle)
                                tr.element("td", [("class", "number")], text: (line.minutes.value > 0 ? "+" : "") + l.amount(line.minutes))
                                tr.element("td", [("class", "number")], text: l.amount(line.balance))
                            }
                        }
                    }
                }
            }
            for line in s.lines {
                let m = l.month(line.day)
                if m != month { table(&h, month, rows); rows = []; month = m }
                rows.append(line)
            }
            table(&h, month, rows)
            h.element("p", text: "\(Word.closing.text(l)): \(l.amount(s.closing))")
            h.element("p", [("class", "hint")], text: Word.madeAtHead.text(l, String(s.head.seq), String(s.head.hash.prefix(16))))
        }
    }

    /// The statement as CSV: one line a posting, amounts in minutes and in hours, text cells
    /// neutralised against spreadsheet formulas.
    func statementCSV(_ page: Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        let (from, to) = try period(page)
        guard let s = try api.read({ try $0.statement(session.login.member, from: from, to: to) }) else { throw PageError.notFound }
        var out = "date,kind,exchange,counterparty,description,minutes,balance_minutes,ledger_head_seq\r\n"
        for line in s.lines {
            out += "\(line.day),\(line.kind.rawValue),\(line.exchange?.description ?? ""),\(line.counterparty),\(csvText(line.description)),"
            out += "\(line.minutes.value),\(line.balance.value),\(s.head.seq)\r\n"
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/csv; charset=utf-8"),
                                                   ("Content-Disposition", "attachment; filename=\"kring-\(session.login.member.handle)-\(from)-\(to).csv\"")],
                            body: Array(out.utf8))
    }

    func settingsPage(_ page: Request, message: (text: String, field: String)?, done: Bool, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let logins = try api.ledger.logins(member: session.login.member).filter { $0.revokedAt == nil }
        let open = try api.ledger.openSessions(of: session.login.id)
        return document(page, title: Word.settingsTitle.text(l), status: status) { h in
            if let message { errorSummary(&h, l, [(message.text, message.field)]) }
            if done { h.element("p", [("role", "status")], text: Word.passwordChanged.text(l)) }
            h.element("h2", text: Word.changePassword.text(l))
            h.element("form", [("method", "post"), ("action", "/settings/password"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                f.void("input", [("type", "hidden"), ("name", "username"), ("value", session.login.name), ("autocomplete", "username")])
                field(&f, id: "current", label: Word.currentPassword.text(l), hint: nil, error: message?.field == "current" ? message?.text : nil,
                      attributes: [("type", "password"), ("name", "current"), ("autocomplete", "current-password")])
                field(&f, id: "password", label: Word.newPassword.text(l), hint: Word.passwordHint.text(l), error: message?.field == "password" ? message?.text : nil,
                      attributes: [("type", "password"), ("name", "password"), ("autocomplete", "new-password")])
                field(&f, id: "repeat", label: Word.repeatPassword.text(l), hint: nil, error: message?.field == "repeat" ? message?.text : nil,
                      attributes: [("type", "password"), ("name", "repeat"), ("autocomplete", "new-password")])
                f.element("button", [("type", "submit")], text: Word.changePassword.text(l))
            }
            h.element("h2", text: Word.signOutEverywhere.text(l))
            h.element("p", text: Word.openSessions.text(l, String(open)))
            h.element("form", [("method", "post"), ("action", "/settings/sign-out-everywhere")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                f.element("p", [("class", "hint")], text: Word.signOutEverywhereHint.text(l))
                f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.signOutEverywhere.text(l))
            }
            h.element("h2", text: Word.myLogins.text(l, session.login.member.handle))
            h.element("ul", [("class", "items")]) { ul in
                for login in logins { ul.element("li", text: "\(login.name) (\((login.role == .coordinator ? Word.roleCoordinator : .roleMember).text(l)))") }
            }
            h.element("h2", text: Word.leaveTitle.text(l))
            h.element("p") { $0.element("a", [("href", "/settings/leave")], text: Word.leaveLink.text(l)) }
        }
    }

    /// Leaving the circle, with its consequences stated before the button: where the balance
    /// goes, what happens to open proposals and listings, and that every login is signed out.
    func leavePage(_ page: Request, refusal: RuleViolation? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        guard let row = try api.read({ try $0.member(session.login.member) }) else { throw PageError.notFound }
        let balance = row.state.balance
        return document(page, title: Word.leaveTitle.text(l), status: status) { h in
            if let refusal { errorSummary(&h, l, [(refusal.sentence(in: l), "leave")]) }
            h.element("p", text: Word.leaveIntro.text(l))
            h.element("ul") { ul in
                ul.element("li", text: balance.value > 0 ? Word.leaveCredit.text(l, l.amount(balance))
                                     : balance.value < 0 ? Word.leaveDebt.text(l, l.amount(Minutes(-balance.value))) : Word.leaveZero.text(l))
                ul.element("li", text: Word.leaveOpen.text(l))
                ul.element("li", text: Word.leaveFinal.text(l))
            }
            writingForm(&h, action: "/settings/leave", session) { f in
                f.element("button", [("type", "submit"), ("id", "leave"), ("class", "warning")], text: Word.leaveButton.text(l))
            }
            h.element("p") { $0.element("a", [("href", "/settings")], text: Word.navSettings.text(l)) }
        }
    }

    func leave(_ page: inout Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        switch try submit(page, .leave(session.login.member), session: session) {
        case .success:
            page.setCookie(Web.sessionCookie, "", maxAge: 0)
            return redirect("/left")
        case .failure(let v): return try leavePage(page, refusal: v, status: 422)
        }
    }

    /// After leaving: a thank-you, signed out.
    func leftPage(_ page: Request) -> HTTPResponse {
        let l = page.language
        return document(page, title: Word.leftTitle.text(l)) { $0.element("p", text: Word.leftText.text(l)) }
    }

    func changePassword(_ page: inout Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let l = page.language
        let current = page.form["current"] ?? "", password = page.form["password"] ?? "", again = page.form["repeat"] ?? ""
        guard password == again else { return try settingsPage(page, message: (Word.passwordsDiffer.text(l), "repeat"), done: false, status: 422) }
        let result: Result<(session: String, info: Session)?, RuleViolation>?
        result = try hashing.run { () throws -> Result<(session: String, info: Session)?, RuleViolation> in
            do { return .success(try api.ledger.changePassword(session.login.id, current: current, new: password)) } catch let e as LedgerError {
                guard case .rule(let v) = e else { throw e }
                return .failure(v)
            }
        }
        switch result {
        case nil: throw PageError.busy
        case .failure(let v)?: return try settingsPage(page, message: (v.sentence(in: l), "password"), done: false, status: 422)
        case .success(nil)?: return try settingsPage(page, message: (Word.wrongCurrentPassword.text(l), "current"), done: false, status: 422)
        case .success(let (cookie, _)?)?:
            page.setCookie(Web.sessionCookie, cookie, maxAge: nil)
            return redirect("/settings?changed=1")
        }
    }

    func signOutEverywhere(_ page: inout Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        try api.ledger.endSessions(of: session.login.id)
        page.setCookie(Web.sessionCookie, "", maxAge: 0)
        return redirect("/")
    }
}

extension TransferKind {
    /// The kind's word on the pages.
    var word: Word {
        switch self {
        case .exchange: .kindExchange
        case .reversal: .kindReversal
        case .donation: .kindDonation
        case .grant: .kindGrant
        case .settlement: .kindSettlement
        }
    }
}

extension Language {
    /// A month as a heading: `december 2026`, `December 2026`.
    func month(_ d: Day) -> String {
        let parts = day(d).split(separator: " ")
        return parts.count == 3 ? "\(parts[1]) \(parts[2])" : d.description
    }
}

extension Request {
    /// The query's parameters (the first of each name), as the server decodes them
    /// (`HTTPRequest.queryItems`); none when the query is not valid percent-encoding.
    var query: [String: String] {
        var out = [String: String]()
        for (k, v) in (raw.queryItems ?? []).prefix(Request.maxFields) where out[k] == nil { out[k] = v }
        return out
    }
}
