import Foundation
import KringCore
import KringStore

/// The coordinator's desk, members part (issue 12, part 5): the members with their status and
/// balance; registering one; a member's card with inviting (the link and a printable card),
/// suspending, reinstating, ending the membership and overriding limits. For coordinator
/// logins only: to anyone else the desk does not exist (404). Every step is the core's command,
/// judged by its rules (they require the coordinator too).
extension Web {
    /// The session of a coordinator's login; to anyone else the desk is not found.
    func requireCoordinatorSession(_ page: Request) throws -> Session {
        let session = try page.requireSession()
        guard session.login.role == .coordinator else { throw PageError.notFound }
        return session
    }

    /// Members on one page of the desk's list.
    static let deskPageSize = 50


    /// Proposals within this many days of expiring are shown on the desk.
    static let expiringWithinDays: Int64 = 3

    /// The desk: proposals about to expire, loans overdue, the ledger head and the last
    /// verification, and the way to the members.
    func deskPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        let now = api.clock()
        let (expiring, overdue, head, names, zone, introductions) = try api.read { r -> ([ExchangeRow], [LoanRecord], LedgerHead, [MemberID: String], TimeZone, (made: Int64, became: Int64)) in
            let policy = try r.policy()
            let soon = now + Web.expiringWithinDays * 86_400
            let expiring = try r.exchanges(state: .proposed, limit: 500).filter { ($0.record.info.expiresAt ?? Int64.max) <= soon }
            let overdue = try r.overdueLoans(today: policy.day(now))
            var names = [MemberID: String]()
            for m in Set(overdue.flatMap { [$0.info.lender, $0.info.borrower] }) { names[m] = try r.member(m)?.state.info.name ?? m.handle }
            return (expiring, overdue, try r.head(), names, policy.zone, try r.introductionCounts())
        }
        let verified = api.lastVerification
        return document(page, title: Word.deskOverview.text(l)) { h in
            h.element("ul", [("class", "items")]) { ul in
                ul.element("li") { $0.element("a", [("href", "/desk/members")], text: Word.deskTitle.text(l)) }
                ul.element("li") { $0.element("a", [("href", "/desk/members/new")], text: Word.registerMember.text(l)) }
                ul.element("li") { $0.element("a", [("href", "/desk/matches")], text: Word.connectPeople.text(l)) }
                ul.element("li") { $0.element("a", [("href", "/desk/import")], text: Word.importTitle.text(l)) }
                ul.element("li") { $0.element("a", [("href", "/desk/slips")], text: Word.slipsTitle.text(l)) }
                ul.element("li") { $0.element("a", [("href", "/desk/policy")], text: Word.policyTitle.text(l)) }
                ul.element("li") { $0.element("a", [("href", "/stats")], text: Word.statsLink.text(l)) }
            }
            h.element("h2", text: Word.expiringTitle.text(l, String(Web.expiringWithinDays)))
            exchangeList(&h, l, expiring, empty: Word.noOneYet.text(l), zone: zone)
            h.element("h2", text: Word.overdueTitle.text(l))
            if overdue.isEmpty { h.element("p", text: Word.noOneYet.text(l)) } else {
                h.element("ul", [("class", "items")]) { ul in
                    for loan in overdue {
                        let i = loan.info
                        ul.element("li", text: "\(i.what): \(names[i.lender] ?? "") → \(names[i.borrower] ?? ""), " + Word.dueOn.text(l, l.day(i.due)))
                    }
                }
            }
            h.element("h2", text: Word.introductionsTitle.text(l))
            h.element("p", text: Word.introductionCounts.text(l, String(introductions.made), String(introductions.became)))
            h.element("h2", text: Word.ledgerTitle.text(l))
            h.element("p", text: Word.madeAtHead.text(l, String(head.seq), String(head.hash.prefix(16))))
            if let verified {
                let ok = verified.report["ok"]?.boolValue == true
                h.element("p", [("class", ok ? nil : "error")], text: ok ? Word.verifiedOK.text(l, String(verified.seq))
                          : Word.verifiedNot.text(l, String(verified.seq), verified.report["divergence"]?["reason"]?.stringValue ?? ""))
            } else {
                h.element("p", text: Word.notVerified.text(l))
            }
            h.element("form", [("method", "post"), ("action", "/desk/verify")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.verifyNow.text(l))
            }
        }
    }

    /// Checks the whole ledger against its journal now (once per head), then back to the desk.
    func deskVerify(_ page: inout Request) throws -> HTTPResponse {
        _ = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        _ = try api.verifyReport()
        return redirect("/desk")
    }

    /// The members in id order, 50 a page, each with kind, status and balance.
    func membersDeskPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        _ = try requireCoordinatorSession(page)
        let after = page.query["after"].flatMap { MemberID(canonical: $0) }
        var rows = try api.read { try $0.memberPage(after: after, limit: Web.deskPageSize + 1) }
        let more = rows.count > Web.deskPageSize
        if more { rows.removeLast() }
        return document(page, title: Word.deskTitle.text(l)) { h in
            h.element("p") { $0.element("a", [("href", "/desk/members/new")], text: Word.registerMember.text(l)) }
            h.element("table") { t in
                t.element("thead") { $0.element("tr") { tr in
                    for w in [Word.memberName, .memberKindLabel, .state, .balance] { tr.element("th", [("scope", "col")], text: w.text(l)) }
                } }
                t.element("tbody") { body in
                    for row in rows {
                        let i = row.state.info
                        body.element("tr") { tr in
                            tr.element("td") { $0.element("a", [("href", "/desk/members/\(i.id)")], text: "\(i.name) (\(i.id))") }
                            tr.element("td", text: i.kind.word.text(l))
                            tr.element("td", text: row.state.status.word.text(l))
                            tr.element("td", [("class", "number")], text: l.amount(row.state.balance))
                        }
                    }
                }
            }
            if more, let last = rows.last {
                h.element("p") { $0.element("a", [("href", "/desk/members?after=\(last.state.info.id)"), ("rel", "next")], text: Word.nextPage.text(l)) }
            }
        }
    }

    /// Register a member: id, name, kind, neighbourhood, domains of interest.
    func registerPage(_ page: Request, values: [String: String], error formError: FormError?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        func error(_ name: String) -> String? { formError?.field == name ? formError?.message : nil }
        return document(page, title: Word.registerMember.text(l), status: status) { h in
            if let formError { errorSummary(&h, l, [formError]) }
            writingForm(&h, action: "/desk/members/new", session) { f in
                field(&f, id: "name", label: Word.memberName.text(l), hint: nil, error: error("name"),
                      attributes: [("type", "text"), ("name", "name"), ("value", values["name"] ?? ""), ("maxlength", "200")])
                field(&f, id: "id", label: Word.memberID.text(l), hint: Word.memberIDHint.text(l), error: error("id"),
                      attributes: [("type", "text"), ("name", "id"), ("value", values["id"] ?? ""), ("autocapitalize", "none"), ("spellcheck", "false"), ("maxlength", "60")])
                radios(&f, "kind", Word.memberKindLabel.text(l), values["kind"] ?? "person", MemberKind.registrable.map { ($0.rawValue, $0.word.text(l)) })
                field(&f, id: "neighbourhood", label: Word.neighbourhood.text(l), hint: nil, error: error("neighbourhood"),
                      attributes: [("type", "text"), ("name", "neighbourhood"), ("value", values["neighbourhood"] ?? ""), ("maxlength", "60")])
                f.element("button", [("type", "submit")], text: Word.registerButton.text(l))
            }
        }
    }

    func register(_ page: inout Request) throws -> HTTPResponse {
        let session = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        let values = page.typed
        let f = page.form
        guard let id = MemberID(canonical: (f["id"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            return try registerPage(page, values: values, error: (Word.memberIDShape.text(page.language, String((f["id"] ?? "").prefix(60))), "id"), status: 422)
        }
        let neighbourhood = f["neighbourhood"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let draft = MemberDraft(id: id, name: f["name"] ?? "", kind: MemberKind(rawValue: f["kind"] ?? "") ?? .person, neighbourhood: neighbourhood)
        switch try submit(page, .addMember(draft), session: session) {
        case .success: return redirect("/desk/members/\(id)")
        case .failure(let v):
            let field: String = switch v.field {
            case .id?: "id"
            case .kind?: "kind"
            case .neighbourhood?: "neighbourhood"
            default: "name"
            }
            return try registerPage(page, values: values, error: (v.sentence(in: page.language), field), status: 422)
        }
    }

    /// A member's card at the desk: figures, logins, and the steps a coordinator may take.
    func deskMemberPage(_ page: Request, id: MemberID, refusal: RuleViolation? = nil, invitation: (link: String, login: String)? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        guard let row = try api.read({ try $0.member(id) }), row.state.info.kind != .pool else { throw PageError.notFound }
        let logins = try api.ledger.logins(member: id)
        let i = row.state.info, status_ = row.state.status
        return document(page, title: i.name, status: status) { h in
            if let refusal { errorSummary(&h, l, [(refusal.sentence(in: l), "actions")]) }
            if let invitation {
                // Shown once: only the code's hash is kept. Printable as a card.
                h.element("section", [("class", "card"), ("aria-labelledby", "card-title")]) { card in
                    card.element("h2", [("id", "card-title")], text: Word.invitationCard.text(l, i.name))
                    card.element("p", text: Word.invitationCardText.text(l, invitation.login))
                    card.element("p", [("class", "link")], text: invitation.link)
                    card.element("p", [("class", "hint")], text: Word.invitationOnce.text(l))
                }
            }
            h.element("dl") { dl in
                dl.element("dt", text: Word.memberID.text(l)); dl.element("dd", text: i.id.description)
                dl.element("dt", text: Word.memberKindLabel.text(l)); dl.element("dd", text: i.kind.word.text(l))
                dl.element("dt", text: Word.state.text(l)); dl.element("dd", text: status_.word.text(l))
                dl.element("dt", text: Word.balance.text(l)); dl.element("dd", text: l.amount(row.state.balance))
                dl.element("dt", text: Word.floorLabel.text(l)); dl.element("dd", text: l.amount(row.floor))
                dl.element("dt", text: Word.ceilingLabel.text(l)); dl.element("dd", text: row.ceiling.map { l.amount($0) } ?? Word.noLimit.text(l))
            }
            h.element("h2", text: Word.myLogins.text(l, i.id.handle))
            if logins.isEmpty { h.element("p", text: Word.noOneYet.text(l)) } else {
                h.element("ul", [("class", "items")]) { ul in
                    for login in logins {
                        let state = login.revokedAt != nil ? Word.loginRevoked : login.passwordSetAt == nil ? .loginInvited : .loginActive
                        ul.element("li", text: "\(login.name) (\((login.role == .coordinator ? Word.roleCoordinator : .roleMember).text(l)), \(state.text(l)))")
                    }
                }
            }
            h.element("div", [("id", "actions")]) { d in
                guard status_ != .left else { return }
                d.element("h2", text: Word.inviteTitle.text(l))
                d.element("form", [("method", "post"), ("action", "/desk/members/\(id)/invite")]) { f in
                    f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                    field(&f, id: "label", label: Word.inviteLabel.text(l), hint: Word.inviteLabelHint.text(l), error: nil,
                          attributes: [("type", "text"), ("name", "label"), ("autocapitalize", "none"), ("spellcheck", "false"), ("maxlength", "30")])
                    f.element("button", [("type", "submit")], text: Word.inviteButton.text(l))
                }
                d.element("h2", text: Word.limitsTitle.text(l))
                writingForm(&d, action: "/desk/members/\(id)/limits", session) { f in
                    field(&f, id: "floor", label: Word.floorLabel.text(l), hint: Word.limitHint.text(l), error: nil,
                          attributes: [("type", "text"), ("name", "floor"), ("inputmode", "decimal")])
                    field(&f, id: "ceiling", label: Word.ceilingLabel.text(l), hint: Word.limitHint.text(l), error: nil,
                          attributes: [("type", "text"), ("name", "ceiling"), ("inputmode", "decimal")])
                    f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.saveButton.text(l))
                }
                d.element("h2", text: Word.grantTitle.text(l))
                writingForm(&d, action: "/desk/members/\(id)/grant", session) { f in
                    field(&f, id: "grant-hours", label: Word.hours.text(l), hint: Word.hoursHint.text(l), error: nil,
                          attributes: [("type", "text"), ("name", "hours"), ("inputmode", "decimal")])
                    field(&f, id: "grant-reason", label: Word.grantReason.text(l), hint: nil, error: nil,
                          attributes: [("type", "text"), ("name", "reason"), ("maxlength", "500")])
                    f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.grantButton.text(l))
                }
                d.element("h2", text: Word.membershipTitle.text(l))
                let steps: [(String, Word)] = status_ == .active ? [("suspend", .suspendMember), ("leave", .endMembership)] : [("reinstate", .reinstateMember), ("leave", .endMembership)]
                for (step, word) in steps {
                    d.element("form", [("class", "inline"), ("method", "post"), ("action", "/desk/members/\(id)/\(step)")]) { f in
                        f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                        f.void("input", [("type", "hidden"), ("name", "key"), ("value", Web.newKey())])
                        f.element("button", [("type", "submit"), ("class", step == "leave" ? "warning" : "secondary")], text: word.text(l))
                    }
                }
            }
        }
    }

    /// Suspend, reinstate, end a membership or change limits, as the coordinator.
    func deskStep(_ page: inout Request, id: MemberID, step: String) throws -> HTTPResponse {
        let session = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        let command: Command
        switch step {
        case "suspend": command = .suspend(id)
        case "reinstate": command = .reinstate(id)
        case "leave": command = .leave(id)
        case "grant":
            guard let m = Minutes.parse((page.form["hours"] ?? "").replacingOccurrences(of: ",", with: ".")) else {
                return try deskMemberPage(page, id: id, refusal: RuleViolation(.inputAmount, .amountUnreadable(String((page.form["hours"] ?? "").prefix(40))), field: .credits), status: 422)
            }
            command = .grant(to: id, minutes: m, reason: page.form["reason"] ?? "")
        default:
            // An empty field removes the override: the policy's limit applies again.
            func change(_ name: String, signed: Bool) -> LimitChange? {
                var text = (page.form[name] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
                guard !text.isEmpty else { return .clear }
                let negative = signed && text.hasPrefix("-")
                if negative { text.removeFirst() }
                guard let m = Minutes.parse(text) else { return nil }
                return .set(Minutes(negative ? -m.value : m.value))
            }
            guard let floor = change("floor", signed: true), let ceiling = change("ceiling", signed: false) else {
                return try deskMemberPage(page, id: id, refusal: RuleViolation(.inputAmount, .amountUnreadable(String(((page.form["floor"] ?? "") + " " + (page.form["ceiling"] ?? "")).prefix(40))), field: .floor), status: 422)
            }
            command = .setLimits(id, floor: floor, ceiling: ceiling)
        }
        switch try submit(page, command, session: session) {
        case .success: return redirect("/desk/members/\(id)")
        case .failure(let v):
            if v.code == .memberNotFound { throw PageError.notFound }
            return try deskMemberPage(page, id: id, refusal: v, status: 422)
        }
    }

    /// A new invitation for the member (their first login, or `handle/label`): the link is
    /// shown once on the answer, with a printable card, and never stored (only its hash is).
    /// This answer is not a redirect: the code cannot be shown again. A form sent twice makes
    /// a second code, which replaces the first.
    func deskInvite(_ page: inout Request, id: MemberID) throws -> HTTPResponse {
        _ = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        let label = (page.form["label"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let invitation = try api.ledger.invite(member: id, label: label)
            let origin = publicURL ?? "http://" + (page.raw.header("host") ?? "127.0.0.1:8080")
            return try deskMemberPage(page, id: id, invitation: (origin + "/invitation/" + invitation.code, invitation.login.name))
        } catch let e as LedgerError {
            guard case .rule(let v) = e else { throw e }
            if v.code == .memberNotFound { throw PageError.notFound }
            return try deskMemberPage(page, id: id, refusal: v, status: 422)
        }
    }
}

extension MemberStatus {
    var word: Word {
        switch self {
        case .active: .statusActive
        case .suspended: .statusSuspended
        case .left: .statusLeft
        }
    }
}
