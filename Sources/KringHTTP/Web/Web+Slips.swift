import Foundation
import KringCore
import KringStore

/// Paper slips in a batch (the coordinator's desk): a form of rows (date, provider, receiver,
/// hours, kind, domain, what), each recorded as an exchange with both consents, as
/// `POST /v1/exchanges/recorded` does. Each row is judged by the rules on its own and carries
/// its own idempotency key, so a batch is never half-written for a row: accepted rows are
/// recorded once (sending the page again replays them), refused rows come back with their
/// sentence and the input kept for correction.
extension Web {
    /// Rows on one slips form.
    static let slipRows = 10
    /// The fields of a row, each named `NAME-ROW`.
    static let slipFields = ["date", "provider", "receiver", "hours", "kind", "domain", "what"]

    /// What became of a row that was sent.
    enum SlipResult {
        case recorded(ExchangeID)
        case refused(String)
    }

    func slipsPage(_ page: Request, values: [String: String], results: [Int: SlipResult], status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        let now = api.clock()
        let (policy, today) = try api.read { r in let p = try r.policy(); return (p, p.day(now)) }
        let refused = results.compactMap { row, result -> (String, String)? in
            guard case .refused(let message) = result else { return nil }
            return (Word.slipRowRefused.text(l, String(row + 1), message), "what-\(row)")
        }.sorted { $0.1 < $1.1 }
        let recorded = results.compactMap { _, r -> ExchangeID? in if case .recorded(let id) = r { return id } else { return nil } }.sorted { $0.number < $1.number }
        return document(page, title: Word.slipsTitle.text(l), status: status) { h in
            if !refused.isEmpty { errorSummary(&h, l, refused) }
            if !recorded.isEmpty {
                h.element("p", [("role", "status"), ("class", "effect")]) { p in
                    p.text(Word.slipsRecorded.text(l, String(recorded.count)) + " ")
                    for (n, id) in recorded.enumerated() {
                        if n > 0 { p.text(", ") }
                        p.element("a", [("href", "/exchanges/\(id)")], text: id.description)
                    }
                }
            }
            h.element("p", text: Word.slipsIntro.text(l))
            h.element("form", [("method", "post"), ("action", "/desk/slips"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                for row in 0..<Web.slipRows {
                    // A recorded row is cleared; a refused one keeps what was typed and its key
                    // is new (a refused key stays refused).
                    var v = [String: String]()
                    if case .refused = results[row] { for k in Web.slipFields { v[k] = values["\(k)-\(row)"] } }
                    let error: String? = if case .refused(let m) = results[row] { m } else { nil }
                    f.element("fieldset", [("class", "slip")]) { fs in
                        fs.element("legend", text: Word.slipRow.text(l, String(row + 1)))
                        fs.void("input", [("type", "hidden"), ("name", "key-\(row)"), ("value", Web.newKey())])
                        if let error { fs.element("p", [("class", "error"), ("id", "row-\(row)-error")], text: error) }
                        field(&fs, id: "date-\(row)", label: Word.date.text(l), hint: nil, error: nil,
                              attributes: [("type", "date"), ("name", "date-\(row)"), ("value", v["date"] ?? today.description)])
                        field(&fs, id: "provider-\(row)", label: Word.slipProvider.text(l), hint: nil, error: nil,
                              attributes: [("type", "text"), ("name", "provider-\(row)"), ("value", v["provider"] ?? ""), ("autocapitalize", "none"), ("spellcheck", "false")])
                        field(&fs, id: "receiver-\(row)", label: Word.slipReceiver.text(l), hint: nil, error: nil,
                              attributes: [("type", "text"), ("name", "receiver-\(row)"), ("value", v["receiver"] ?? ""), ("autocapitalize", "none"), ("spellcheck", "false")])
                        field(&fs, id: "hours-\(row)", label: Word.hours.text(l), hint: nil, error: nil,
                              attributes: [("type", "text"), ("name", "hours-\(row)"), ("value", v["hours"] ?? ""), ("inputmode", "decimal")])
                        fs.element("label", [("for", "kind-\(row)")], text: Word.filterKind.text(l))
                        fs.element("select", [("id", "kind-\(row)"), ("name", "kind-\(row)")]) { s in
                            for k in ExchangeKind.allCases { s.element("option", [("value", k.rawValue), ("selected", v["kind"] == k.rawValue ? "" : nil)], text: k.word.text(l)) }
                        }
                        fs.element("label", [("for", "domain-\(row)")], text: Word.domain.text(l))
                        fs.element("select", [("id", "domain-\(row)"), ("name", "domain-\(row)")]) { s in
                            for d in policy.domains { s.element("option", [("value", d), ("selected", v["domain"] == d ? "" : nil)], text: d) }
                        }
                        field(&fs, id: "what-\(row)", label: Word.what.text(l), hint: nil, error: nil,
                              attributes: [("type", "text"), ("name", "what-\(row)"), ("value", v["what"] ?? ""), ("maxlength", "500"),
                                           ("aria-describedby", error == nil ? nil : "row-\(row)-error")])
                    }
                }
                f.element("button", [("type", "submit")], text: Word.slipsButton.text(l))
            }
        }
    }

    /// Records each filled-in row on its own; the page comes back with what became of each.
    /// (Not a redirect: the refused rows and their input must come back. Sending it again
    /// replays the recorded rows by their keys and writes nothing new for them.)
    func recordSlips(_ page: inout Request) throws -> HTTPResponse {
        let session = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        let l = page.language
        let f = page.form
        var results = [Int: SlipResult]()
        for row in 0..<Web.slipRows {
            func value(_ k: String) -> String { (f["\(k)-\(row)"] ?? "").trimmingCharacters(in: .whitespaces) }
            // A row with nobody on it is empty: skipped.
            guard !(value("provider").isEmpty && value("receiver").isEmpty && value("what").isEmpty && value("hours").isEmpty) else { continue }
            let (providers, p1) = try resolveMembers(value("provider"), me: poolID, l)
            if let p1 { results[row] = .refused(p1); continue }
            let (receivers, p2) = try resolveMembers(value("receiver"), me: poolID, l)
            if let p2 { results[row] = .refused(p2); continue }
            guard let minutes = Minutes.parse(value("hours").replacingOccurrences(of: ",", with: ".")) else {
                results[row] = .refused(RuleViolation(.inputAmount, .amountUnreadable(String(value("hours").prefix(40))), field: .credits).sentence(in: l)); continue
            }
            guard let date = Day(iso: value("date")) else {
                results[row] = .refused(RuleViolation(.inputInvalid, .dateUnreadable(String(value("date").prefix(40))), field: .date).sentence(in: l)); continue
            }
            let draft = ExchangeDraft(providers: providers, receivers: receivers, kind: ExchangeKind(rawValue: value("kind")) ?? .time,
                                      domain: value("domain"), what: f["what-\(row)"] ?? "", credits: minutes, date: date)
            let part = "row \(row)\n" + Web.slipFields.map { f["\($0)-\(row)"] ?? "" }.joined(separator: "\u{1F}")
            switch try submit(page, .record(draft, reason: nil), session: session, key: f["key-\(row)"], part: part) {
            case .success(let o):
                guard let id = o.event.exchangeID else { throw PageError.storage }
                results[row] = .recorded(id)
            case .failure(let v): results[row] = .refused(v.sentence(in: l))
            }
        }
        let anyRefused = results.values.contains { if case .refused = $0 { return true } else { return false } }
        return try slipsPage(page, values: f, results: results, status: anyRefused ? 422 : 200)
    }
}
