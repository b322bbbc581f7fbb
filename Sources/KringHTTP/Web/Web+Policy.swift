import Foundation
import KringCore
import KringStore

/// The policy at the desk: every setting with its value, and a change stated with its effect
/// before it is made (the value before and after; for a limit, how many members of that kind
/// the new limit leaves outside it, whose balances may then only move back towards it). The
/// text is read as `kring policy set` reads it; the core judges the change (`input.policy`).
extension Web {
    func policyPage(_ page: Request, values: [String: String], error formError: FormError?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        let policy = try api.read { try $0.policy() }
        func error(_ name: String) -> String? { formError?.field == name ? formError?.message : nil }
        return document(page, title: Word.policyTitle.text(l), status: status) { h in
            if let formError { errorSummary(&h, l, [formError]) }
            h.element("table") { t in
                t.element("thead") { $0.element("tr") { tr in
                    tr.element("th", [("scope", "col")], text: Word.policySetting.text(l))
                    tr.element("th", [("scope", "col")], text: Word.policyValue.text(l))
                } }
                t.element("tbody") { body in
                    for name in Policy.concreteSettingNames {
                        body.element("tr") { tr in
                            tr.element("td", text: name)
                            tr.element("td", text: policy.settingText(name) ?? "")
                        }
                    }
                }
            }
            h.element("h2", text: Word.policyChange.text(l))
            h.element("form", [("method", "post"), ("action", "/desk/policy"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                f.element("label", [("for", "setting")], text: Word.policySetting.text(l))
                f.element("select", [("id", "setting"), ("name", "setting")]) { s in
                    for name in Policy.concreteSettingNames { s.element("option", [("value", name), ("selected", values["setting"] == name ? "" : nil)], text: name) }
                }
                field(&f, id: "value", label: Word.policyValue.text(l), hint: Word.policyValueHint.text(l), error: error("value"),
                      attributes: [("type", "text"), ("name", "value"), ("value", values["value"] ?? ""), ("autocapitalize", "none"), ("spellcheck", "false"), ("maxlength", "500")])
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "review")], text: Word.reviewButton.text(l))
            }
        }
    }

    /// Review (nothing written: the effect stated) or send the change.
    func changePolicy(_ page: inout Request) throws -> HTTPResponse {
        let session = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        let l = page.language
        let name = page.form["setting"] ?? "", value = (page.form["value"] ?? "").trimmingCharacters(in: .whitespaces)
        let values = ["setting": name, "value": value]
        let now = api.clock()
        let old = try api.read { try $0.policy() }
        let new: Policy
        do { new = try old.setting(name, to: value) } catch {
            return try policyPage(page, values: values, error: (error.sentence(in: l), "value"), status: 422)
        }
        if page.form["step"] == "send" {
            switch try submit(page, .setPolicy(new), session: session) {
            case .success: return redirect("/desk/policy")
            case .failure(let v): return try policyPage(page, values: values, error: (v.sentence(in: l), "value"), status: 422)
            }
        }
        if case .failure(let v) = try api.read({ try $0.judge(.setPolicy(new), by: session.login.actor, now: now) }) {
            return try policyPage(page, values: values, error: (v.sentence(in: l), "value"), status: 422)
        }
        // For a limit: the members of that kind the new limit leaves outside it.
        var outside: Int?
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 2, let kind = MemberKind(rawValue: parts[1]) {
            outside = try api.read { try $0.members(kind: kind, status: .active) }.filter { m in
                let floor = m.state.floor(under: new), ceiling = m.state.ceiling(under: new)
                return m.state.balance < floor || ceiling.map { m.state.balance > $0 } == true
            }.count
        }
        return document(page, title: Word.policyReviewTitle.text(l)) { h in
            h.element("p", [("class", "effect")], text: Word.policyFromTo.text(l, name, old.settingText(name) ?? "", new.settingText(name) ?? ""))
            if let outside {
                h.element("p", text: outside == 0 ? Word.policyNoneOutside.text(l) : Word.policyOutside.text(l, String(outside)))
            }
            h.element("p", text: Word.policyFromNow.text(l))
            writingForm(&h, action: "/desk/policy", session) { f in
                f.void("input", [("type", "hidden"), ("name", "setting"), ("value", name)])
                f.void("input", [("type", "hidden"), ("name", "value"), ("value", value)])
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "send")], text: Word.policyConfirm.text(l))
            }
            h.element("p") { $0.element("a", [("href", "/desk/policy")], text: Word.changeAnswers.text(l)) }
        }
    }
}
