import Foundation
import KringCore
import KringStore

/// Challenges (co-creation), for signed-in members as the API's challenges need a token: the
/// open ones; a challenge's page (what is asked, its domains and end day, who joined by member
/// kind, pledges, the offers, requests and exchanges for it); joining, pledging, posting an
/// offer or request for it; and for the municipality or association that posts one, posting
/// and closing. The rules are the core's (`Decider.decideChallenge`).
extension Web {
    /// The open challenges, newest first.
    func challengesPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        _ = try page.requireSession()
        let now = api.clock()
        let rows = try api.read { r in try r.challenges(today: r.policy().day(now)) }
        return document(page, title: Word.challengesTitle.text(l)) { h in
            h.element("p", text: Word.challengesIntro.text(l))
            h.element("p") { $0.element("a", [("href", "/challenges/new")], text: Word.newChallengeTitle.text(l)) }
            guard !rows.isEmpty else { h.element("p", text: Word.noChallenges.text(l)); return }
            h.element("ul", [("class", "items")]) { ul in
                for c in rows {
                    ul.element("li") { li in
                        li.element("a", [("href", "/challenges/\(c.info.id)")], text: c.info.title)
                        li.text(" — " + c.info.domains.joined(separator: ", ") + ", " + Word.challengeEnds.text(l, l.day(c.info.ends))
                                + ", " + Word.joinedCount.text(l, String(c.members.count)))
                    }
                }
            }
        }
    }

    /// One challenge with everything linked to it, and what the person may do now.
    func challengePage(_ page: Request, id: ChallengeID, refusal: RuleViolation? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let me = session.login.member
        let now = api.clock()
        guard let (report, names, titles, today) = try api.read({ r -> (ChallengeReport, [MemberID: String], [ListingID: String], Day)? in
            guard let report = try r.challengeReport(id) else { return nil }
            var names = [MemberID: String]()
            for m in Set([report.record.info.author] + report.pledges.map(\.pledge.member)) { names[m] = try r.member(m)?.state.info.name ?? m.handle }
            var titles = [ListingID: String]()
            for listing in report.listings { titles[listing] = try r.listing(listing)?.record.info.title }
            return (report, names, titles, try r.policy().day(now))
        }) else { throw PageError.notFound }
        let c = report.record, i = c.info
        let open = c.isOpen(on: today), joined = c.members.contains(me)
        return document(page, title: i.title, status: status) { h in
            if let refusal { errorSummary(&h, l, [(refusal.sentence(in: l), "actions")]) }
            if !open { h.element("p", [("class", "error")], text: Word.challengeClosed.text(l)) }
            h.element("p", [("class", "text")], text: i.text)
            h.element("dl") { dl in
                dl.element("dt", text: Word.postedBy.text(l)); dl.element("dd", text: names[i.author] ?? i.author.handle)
                dl.element("dt", text: Word.domainsLabel.text(l)); dl.element("dd", text: i.domains.joined(separator: ", "))
                dl.element("dt", text: Word.endsOn.text(l)); dl.element("dd", text: l.day(i.ends))
                dl.element("dt", text: Word.joinedLabel.text(l))
                dl.element("dd", text: report.joinedByKind.isEmpty ? Word.noOneYet.text(l)
                            : report.joinedByKind.map { "\($0.kind.word.text(l)): \($0.count)" }.joined(separator: ", "))
                dl.element("dt", text: Word.exchangesFor.text(l)); dl.element("dd", text: String(report.exchanges.count))
            }
            // The experts who can advise on it, by domain.
            h.element("p") { p in
                for (n, d) in i.domains.enumerated() {
                    if n > 0 { p.text(" · ") }
                    p.element("a", [("href", "/experts?" + Web.queryString(["domain": d]))], text: Word.expertsInDomain.text(l, d))
                }
            }
            h.element("h2", text: Word.pledges.text(l))
            if report.pledges.isEmpty { h.element("p", text: Word.noOneYet.text(l)) } else {
                h.element("ul", [("class", "items")]) { ul in
                    for p in report.pledges {
                        ul.element("li", text: "\(names[p.pledge.member] ?? p.pledge.member.handle) (\(p.pledge.kind.word.text(l))): \(p.pledge.what)")
                    }
                }
            }
            if !report.listings.isEmpty {
                h.element("h2", text: Word.listingsFor.text(l))
                h.element("ul", [("class", "items")]) { ul in
                    for listing in report.listings {
                        ul.element("li") { $0.element("a", [("href", "/listings/\(listing)")], text: titles[listing] ?? listing.description) }
                    }
                }
            }
            h.element("div", [("id", "actions")]) { d in
                guard open else { return }
                if !joined {
                    stepForm(&d, "/challenges/\(id)/join", Word.joinChallenge.text(l), session)
                } else {
                    d.element("h2", text: Word.pledgeTitle.text(l))
                    writingForm(&d, action: "/challenges/\(id)/pledge", session) { f in
                        radios(&f, "kind", Word.listingKind.text(l), "time",
                               [("time", Word.kindTimeLong.text(l)), ("space", Word.kindSpaceLong.text(l)), ("goods", Word.kindGoodsLong.text(l))])
                        field(&f, id: "pledge-what", label: Word.pledgeWhat.text(l), hint: Word.pledgeHint.text(l), error: nil,
                              attributes: [("type", "text"), ("name", "what"), ("maxlength", "500")])
                        f.element("button", [("type", "submit")], text: Word.pledgeButton.text(l))
                    }
                    d.element("p") { $0.element("a", [("href", "/listings/new?challenge=\(id)")], text: Word.postForChallenge.text(l)) }
                }
                if i.author == me { stepForm(&d, "/challenges/\(id)/close", Word.closeChallenge.text(l), session, secondary: true) }
            }
        }
    }

    /// A form of one button that takes a step (with the session's token and a fresh key).
    private func stepForm(_ h: inout HTML, _ action: String, _ label: String, _ session: Session, secondary: Bool = false) {
        writingForm(&h, action: action, session) { f in
            f.element("button", [("type", "submit"), ("class", secondary ? "secondary" : nil)], text: label)
        }
    }

    /// Join, pledge or close; a refusal is shown on the challenge's page.
    func challengeStep(_ page: inout Request, id: ChallengeID, step: String) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let me = session.login.member
        let command: Command = switch step {
        case "join": .joinChallenge(id, member: me)
        case "pledge": .pledge(Pledge(challenge: id, member: me, kind: ExchangeKind(rawValue: page.form["kind"] ?? "") ?? .time, what: page.form["what"] ?? ""))
        default: .closeChallenge(id)
        }
        switch try submit(page, command, session: session) {
        case .success: return redirect("/challenges/\(id)")
        case .failure(let v):
            if v.code == .challengeNotFound { throw PageError.notFound }
            return try challengePage(page, id: id, refusal: v, status: 422)
        }
    }

    /// Post a challenge: title, what is asked, its policy domains, the day it ends.
    func newChallengePage(_ page: Request, values: [String: String], chosen: Set<String>, refusal: RuleViolation?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let now = api.clock()
        let (policy, today) = try api.read { r in let p = try r.policy(); return (p, p.day(now)) }
        let errorField: String? = refusal.map { v in
            switch v.field {
            case .text?: "text"
            case .domains?: "domains"
            case .ends?: "ends"
            default: "title"
            }
        }
        func error(_ name: String) -> String? { errorField == name ? refusal?.sentence(in: l) : nil }
        return document(page, title: Word.newChallengeTitle.text(l), status: status) { h in
            if let refusal, let errorField { errorSummary(&h, l, [(refusal.sentence(in: l), errorField)]) }
            h.element("p", text: Word.newChallengeIntro.text(l))
            writingForm(&h, action: "/challenges/new", session) { f in
                field(&f, id: "title", label: Word.title.text(l), hint: nil, error: error("title"),
                      attributes: [("type", "text"), ("name", "title"), ("value", values["title"] ?? ""), ("maxlength", "200")])
                f.element("label", [("for", "text")], text: Word.challengeAsk.text(l))
                if let e = error("text") { f.element("p", [("class", "error"), ("id", "text-error")], text: e) }
                f.element("textarea", [("id", "text"), ("name", "text"), ("rows", "5"), ("maxlength", "5000"),
                                       ("aria-describedby", error("text") == nil ? nil : "text-error")], text: values["text"] ?? "")
                f.element("fieldset", [("id", "domains")]) { fs in
                    fs.element("legend", text: Word.domainsLabel.text(l))
                    if let e = error("domains") { fs.element("p", [("class", "error")], text: e) }
                    for d in policy.domains {
                        fs.element("label", [("class", "choice"), ("for", "domain-\(d)")]) { lab in
                            lab.void("input", [("type", "checkbox"), ("id", "domain-\(d)"), ("name", "domain"), ("value", d), ("checked", chosen.contains(d) ? "" : nil)])
                            lab.text(d)
                        }
                    }
                }
                field(&f, id: "ends", label: Word.endsOn.text(l), hint: nil, error: error("ends"),
                      attributes: [("type", "date"), ("name", "ends"), ("value", values["ends"] ?? (today + 90).description)])
                f.element("button", [("type", "submit")], text: Word.postButton.text(l))
            }
        }
    }

    func postChallenge(_ page: inout Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let values = page.typed
        // The checkboxes: one `domain` field each.
        let domains = page.formValues["domain"] ?? []
        let chosen = Set(domains)
        guard let ends = Day(iso: page.form["ends"] ?? "") else {
            let v = RuleViolation(.inputInvalid, .dateUnreadable(String((page.form["ends"] ?? "").prefix(40))), field: .ends)
            return try newChallengePage(page, values: values, chosen: chosen, refusal: v, status: 422)
        }
        let command = Command.postChallenge(author: session.login.member, title: page.form["title"] ?? "", text: page.form["text"] ?? "",
                                            domains: Array(domains.prefix(50)), ends: ends)
        switch try submit(page, command, session: session) {
        case .success(let o):
            guard case .challengePosted(let e) = o.event else { return redirect("/challenges") }
            return redirect("/challenges/\(e.challenge.id)")
        case .failure(let v): return try newChallengePage(page, values: values, chosen: chosen, refusal: v, status: 422)
        }
    }
}
