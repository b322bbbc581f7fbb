import Foundation
import KringCore
import KringStore

/// Offers and requests: browse and search (public), a listing's page with its author's public
/// entry and "respond", and for the author posting, editing, withdrawing and renewing; and a
/// member's public directory entry. The rules are the core's, as everywhere on the pages.
extension Web {
    /// Listings on one page of browsing (search shows its best 50 at once, as the API does).
    static let listingsPerPage = 20

    /// The filters of the listings page, from its query; unknown values are ignored.
    private func listingFilter(_ q: [String: String]) -> ListingFilter {
        func nonEmpty(_ k: String) -> String? { q[k].flatMap { $0.isEmpty ? nil : $0 } }
        return ListingFilter(side: nonEmpty("side").flatMap(ListingSide.init(rawValue:)), kind: nonEmpty("kind").flatMap(ExchangeKind.init(rawValue:)),
                             domain: nonEmpty("domain"), neighbourhood: nonEmpty("neighbourhood"),
                             memberKind: nonEmpty("member_kind").flatMap(MemberKind.init(rawValue:)))
    }

    /// Browse and search the open listings, with filters; 20 a page with a "Next" link, or the
    /// best 50 of a search.
    func listingsPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let q = page.query
        let filter = listingFilter(q)
        let words = String((q["q"] ?? "").prefix(Reader.maxSearchLength))
        let before = q["before"].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        let now = api.clock()
        // One read transaction; a search the rules refuse comes back as its sentence.
        let (policy, places, found) = try api.read { r -> (Policy, [String], Result<[ListingRow], RuleViolation>) in
            let policy = try r.policy(), today = policy.day(now)
            let found: Result<[ListingRow], RuleViolation>
            if words.trimmingCharacters(in: .whitespaces).isEmpty {
                found = .success(try r.listings(filter, today: today, before: before, limit: Web.listingsPerPage + 1))
            } else {
                do { found = .success(try r.search(words, filter: filter, today: today, limit: 50, index: api.searchIndex)) } catch let v as RuleViolation { found = .failure(v) }
            }
            return (policy, try r.neighbourhoods(), found)
        }
        var refusal: RuleViolation?
        var rows = [ListingRow]()
        switch found {
        case .success(let r): rows = r
        case .failure(let v): refusal = v
        }
        let more = words.isEmpty && rows.count > Web.listingsPerPage
        if more { rows.removeLast() }
        let message = refusal?.sentence(in: l)
        return document(page, title: Word.listingsTitle.text(l), status: refusal == nil ? 200 : 400) { h in
            if let message { errorSummary(&h, l, [(message, "q")]) }
            h.element("p", text: Word.listingsIntro.text(l))
            if page.session != nil {
                h.element("p") { p in
                    p.element("a", [("href", "/listings/new")], text: Word.newListingTitle.text(l))
                    p.text(" · ")
                    p.element("a", [("href", "/rooms")], text: Word.roomsTitle.text(l))
                    p.text(" · ")
                    p.element("a", [("href", "/experts")], text: Word.expertsTitle.text(l))
                }
            }
            h.element("form", [("method", "get"), ("action", "/offers"), ("class", "filters"), ("role", "search")]) { f in
                field(&f, id: "q", label: Word.searchWords.text(l), hint: Word.searchHint.text(l), error: message,
                      attributes: [("type", "search"), ("name", "q"), ("value", words), ("maxlength", String(Reader.maxSearchLength))])
                // The filters fold away on a phone (a details element: no script needed), and
                // stay open while one is chosen.
                let filtered = ["side", "kind", "domain", "neighbourhood", "member_kind"].contains { !(q[$0] ?? "").isEmpty }
                f.element("details", [("open", filtered ? "" : nil)]) { d in
                    d.element("summary", text: Word.filters.text(l))
                    select(&d, "side", Word.filterSide.text(l), q["side"], ListingSide.allCases.map { ($0.rawValue, $0.word.text(l)) }, any: l)
                    select(&d, "kind", Word.filterKind.text(l), q["kind"], ExchangeKind.allCases.map { ($0.rawValue, $0.word.text(l)) }, any: l)
                    select(&d, "domain", Word.domain.text(l), q["domain"], policy.domains.map { ($0, $0) }, any: l)
                    select(&d, "neighbourhood", Word.filterNeighbourhood.text(l), q["neighbourhood"], places.map { ($0, $0) }, any: l)
                    select(&d, "member_kind", Word.filterMemberKind.text(l), q["member_kind"],
                           MemberKind.registrable.map { ($0.rawValue, $0.word.text(l)) }, any: l)
                }
                f.element("button", [("type", "submit")], text: Word.searchButton.text(l))
            }
            h.element("h2", [("id", "results")], text: Word.resultsFound.text(l, String(rows.count) + (more ? "+" : "")))
            listingList(&h, l, rows, empty: Word.noListings.text(l))
            if more, let last = rows.last {
                var query = q
                query["before"] = String(last.updatedSeq)
                h.element("p") { $0.element("a", [("href", "/offers?" + Web.queryString(query)), ("rel", "next")], text: Word.nextPage.text(l)) }
            }
            if before != nil {
                var query = q
                query["before"] = nil
                let rest = Web.queryString(query)
                h.element("p") { $0.element("a", [("href", rest.isEmpty ? "/offers" : "/offers?" + rest)], text: Word.firstPage.text(l)) }
            }
        }
    }

    /// A query string from `values`, in key order, with empty values left out.
    static func queryString(_ values: [String: String]) -> String {
        values.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\(PercentEncoding.encode($0.key))=\(PercentEncoding.encode($0.value))" }.joined(separator: "&")
    }

    /// A labelled select with "All" first.
    private func select(_ h: inout HTML, _ name: String, _ label: String, _ chosen: String?, _ options: [(value: String, text: String)], any l: Language) {
        h.element("label", [("for", name)], text: label)
        h.element("select", [("id", name), ("name", name)]) { s in
            s.element("option", [("value", "")], text: Word.anyOption.text(l))
            for o in options { s.element("option", [("value", o.value), ("selected", chosen == o.value ? "" : nil)], text: o.text) }
        }
    }

    /// Listings as a list: title (linked), what it is, domain, place and the author's kind.
    func listingList(_ h: inout HTML, _ l: Language, _ rows: [ListingRow], empty: String) {
        guard !rows.isEmpty else { h.element("p", text: empty); return }
        h.element("ul", [("class", "items")]) { ul in
            for row in rows {
                let i = row.record.info
                ul.element("li") { li in
                    li.element("a", [("href", "/listings/\(i.id)")], text: i.title)
                    var detail = [i.side.word.text(l), i.kind.word.text(l), i.domain, row.authorKind.word.text(l)]
                    if let p = row.place { detail.append(p) }
                    li.text(" — " + detail.joined(separator: ", "))
                }
            }
        }
    }

    /// A labelled choice of listings, "None" first, its error tied to it.
    func listingChoice(_ h: inout HTML, _ name: String, label: String, _ rows: [ListingRow], chosen: String?, error: String?, _ l: Language,
                       text: (ListingInfo) -> String) {
        h.element("label", [("for", name)], text: label)
        if let error { h.element("p", [("class", "error"), ("id", "\(name)-error")], text: error) }
        h.element("select", [("id", name), ("name", name), ("aria-describedby", error == nil ? nil : "\(name)-error")]) { s in
            s.element("option", [("value", "")], text: Word.noneOption.text(l))
            for row in rows {
                let id = row.record.info.id.description
                s.element("option", [("value", id), ("selected", chosen == id ? "" : nil)], text: text(row.record.info))
            }
        }
    }

    /// "Belongs to: <the listing's title>", linked.
    func linkedListing(_ h: inout HTML, _ l: Language, _ row: ListingRow) {
        h.element("p") { p in
            p.text(Word.linkedTo.text(l))
            p.element("a", [("href", "/listings/\(row.record.info.id)")], text: row.record.info.title)
        }
    }

    /// Whether `session` may see `row` although it is not open (withdrawn, fulfilled,
    /// expired, or its author gone): its author and coordinators may.
    private func mayMeet(_ row: ListingRow, _ session: Session?) -> Bool {
        guard let session else { return false }
        return session.login.member == row.record.info.author || session.login.role == .coordinator
    }

    /// A listing's page: what is offered or asked, its author's public entry, and "respond"
    /// (or, for its author, edit, withdraw and renew).
    func listingPage(_ page: Request, id: ListingID, refusal: RuleViolation? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let now = api.clock()
        guard let (row, author, today, sessions) = try api.read({ r -> (ListingRow, MemberRow?, Day, Bool)? in
            guard let row = try r.listing(id) else { return nil }
            let sessions = row.record.info.kind == .time ? try r.spaceHours(id) != nil : false
            return (row, try r.member(row.record.info.author), try r.policy().day(now), sessions)
        }) else { throw PageError.notFound }
        let open = row.record.isOpen(on: today) && author?.state.status == .active
        guard open || mayMeet(row, page.session) else { throw PageError.notFound }
        let i = row.record.info
        let mine = page.session?.login.member == i.author
        return document(page, title: i.title, status: status) { h in
            if let refusal { errorSummary(&h, l, [(refusal.sentence(in: l), "actions")]) }
            if !open { h.element("p", [("class", "error")], text: Word.listingClosed.text(l)) }
            if !i.text.isEmpty { h.element("p", [("class", "text")], text: i.text) }
            h.element("dl") { dl in
                dl.element("dt", text: Word.filterSide.text(l)); dl.element("dd", text: i.side.word.text(l))
                dl.element("dt", text: Word.filterKind.text(l)); dl.element("dd", text: i.kind.word.text(l))
                dl.element("dt", text: Word.domain.text(l)); dl.element("dd", text: i.domain)
                if let p = row.place { dl.element("dt", text: Word.place.text(l)); dl.element("dd", text: p) }
                if let a = i.availability { dl.element("dt", text: Word.availability.text(l)); dl.element("dd", text: a) }
            }
            h.element("p", text: Word.listedUntil.text(l, l.day(i.expires)))
            h.element("h2", text: Word.postedBy.text(l))
            if let author { directoryEntry(&h, l, author.state.info, linked: page.session != nil) }
            guard let session = page.session else {
                h.element("p") { $0.element("a", [("href", "/sign-in")], text: Word.respondSignIn.text(l)) }
                return
            }
            if i.kind == .space && i.side == .offer && (open || mine) {
                h.element("p") { $0.element("a", [("href", "/rooms/\(id)")], text: Word.roomLink.text(l)) }
            }
            // An expert's time offer with sessions is booked a session at a time; its author
            // may turn a time offer into sessions. A request points to the experts of its domain.
            if i.kind == .time && i.side == .offer && (open || mine) {
                if sessions { h.element("p") { $0.element("a", [("href", "/experts/\(id)")], text: Word.expertLink.text(l)) } }
                else if mine { h.element("p") { $0.element("a", [("href", "/experts/\(id)/hours")], text: Word.offerSessions.text(l)) } }
            }
            if i.side == .request && open {
                h.element("p") { $0.element("a", [("href", "/experts?" + Web.queryString(["domain": i.domain]))], text: Word.expertsInDomain.text(l, i.domain)) }
            }
            if !mine {
                if open { h.element("p") { $0.element("a", [("href", "/exchanges/new?listing=\(id)"), ("class", "button")], text: Word.respond.text(l)) } }
                return
            }
            h.element("div", [("id", "actions")]) { d in
                if !row.record.withdrawn {
                    d.element("p") { $0.element("a", [("href", "/listings/\(id)/edit")], text: Word.edit.text(l)) }
                    for (step, word) in [("renew", Word.renew), ("withdraw", .withdraw)] {
                        d.element("form", [("class", "inline"), ("method", "post"), ("action", "/listings/\(id)/\(step)")]) { f in
                            f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                            f.void("input", [("type", "hidden"), ("name", "key"), ("value", Web.newKey())])
                            f.element("button", [("type", "submit"), ("class", "secondary")], text: word.text(l))
                        }
                    }
                }
            }
        }
    }

    /// A member's public entry: name, kind, neighbourhood and domains; never a balance.
    private func directoryEntry(_ h: inout HTML, _ l: Language, _ m: MemberInfo, linked: Bool) {
        h.element("dl", [("class", "entry")]) { dl in
            dl.element("dt", text: Word.memberName.text(l))
            dl.element("dd") { dd in
                if linked { dd.element("a", [("href", "/members/\(m.id)")], text: m.name) } else { dd.text(m.name) }
            }
            dl.element("dt", text: Word.memberKindLabel.text(l)); dl.element("dd", text: m.kind.word.text(l))
            if let n = m.neighbourhood { dl.element("dt", text: Word.neighbourhood.text(l)); dl.element("dd", text: n) }
            if !m.domains.isEmpty { dl.element("dt", text: Word.domainsLabel.text(l)); dl.element("dd", text: m.domains.joined(separator: ", ")) }
        }
    }

    /// Another member's public directory entry, for signed-in members (as the API's directory
    /// needs a token): name, kind, neighbourhood, domains and open listings. Never their
    /// balance, statement or exchanges.
    func memberPage(_ page: Request, id: MemberID) throws -> HTTPResponse {
        let l = page.language
        _ = try page.requireSession()
        let now = api.clock()
        guard let (row, listings) = try api.read({ r -> (MemberRow, [ListingRow])? in
            guard let row = try r.member(id), row.state.info.kind != .pool else { return nil }
            return (row, try r.listings(ListingFilter(author: id), today: try r.policy().day(now), limit: 100))
        }) else { throw PageError.notFound }
        let m = row.state.info
        return document(page, title: m.name) { h in
            directoryEntry(&h, l, m, linked: false)
            guard row.state.status == .active else { h.element("p", text: Word.memberInactive.text(l)); return }
            h.element("h2", text: Word.openListings.text(l))
            listingList(&h, l, listings, empty: Word.noOpenListings.text(l))
        }
    }

    // MARK: - The author's forms

    /// Post a listing (`id` nil) or edit one: side, kind, title, description, domain, place,
    /// availability and days listed.
    func listingForm(_ page: Request, id: ListingID?, values: [String: String], refusal: RuleViolation?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let policy = try api.read { try $0.policy() }
        let message = refusal?.sentence(in: l)
        let errorField: String? = refusal.map { v in
            switch v.field {
            case .title?, .text?, .place?, .availability?, .days?, .domain?, .kind?: v.field!.rawValue
            case .challenge?: "title"
            default: "title"
            }
        }
        func error(_ name: String) -> String? { errorField == name ? message : nil }
        let action = id.map { "/listings/\($0)/edit" } ?? "/listings/new"
        return document(page, title: (id == nil ? Word.newListingTitle : .editListingTitle).text(l), status: status) { h in
            if let message, let errorField { errorSummary(&h, l, [(message, errorField)]) }
            writingForm(&h, action: action, session) { f in
                if id == nil, let challenge = values["challenge"].flatMap({ ChallengeID(canonical: $0) }) {
                    // Posted for a challenge the author joined (the rules check that).
                    f.void("input", [("type", "hidden"), ("name", "challenge"), ("value", challenge.description)])
                    f.element("p", text: Word.forChallenge.text(l, challenge.description))
                }
                if id == nil {
                    radios(&f, "side", Word.listingSide.text(l), values["side"] ?? "offer", [("offer", Word.iOffer.text(l)), ("request", Word.iAsk.text(l))])
                }
                radios(&f, "kind", Word.listingKind.text(l), values["kind"] ?? "time",
                       [("time", Word.kindTimeLong.text(l)), ("space", Word.kindSpaceLong.text(l)), ("goods", Word.kindGoodsLong.text(l))])
                field(&f, id: "title", label: Word.title.text(l), hint: Word.titleHint.text(l), error: error("title"),
                      attributes: [("type", "text"), ("name", "title"), ("value", values["title"] ?? ""), ("maxlength", "200")])
                f.element("label", [("for", "text")], text: Word.description.text(l))
                if let e = error("text") { f.element("p", [("class", "error"), ("id", "text-error")], text: e) }
                f.element("textarea", [("id", "text"), ("name", "text"), ("rows", "5"), ("maxlength", "5000"),
                                       ("aria-describedby", error("text") == nil ? nil : "text-error"), ("aria-invalid", error("text") == nil ? nil : "true")],
                          text: values["text"] ?? "")
                f.element("label", [("for", "domain")], text: Word.domain.text(l))
                f.element("select", [("id", "domain"), ("name", "domain")]) { s in
                    for d in policy.domains { s.element("option", [("value", d), ("selected", values["domain"] == d ? "" : nil)], text: d) }
                }
                field(&f, id: "place", label: Word.place.text(l), hint: Word.placeHint.text(l), error: error("place"),
                      attributes: [("type", "text"), ("name", "place"), ("value", values["place"] ?? ""), ("maxlength", "200")])
                field(&f, id: "availability", label: Word.availability.text(l), hint: Word.availabilityHint.text(l), error: error("availability"),
                      attributes: [("type", "text"), ("name", "availability"), ("value", values["availability"] ?? ""), ("maxlength", "500")])
                field(&f, id: "days", label: Word.days.text(l), hint: Word.daysHint.text(l), error: error("days"),
                      attributes: [("type", "text"), ("name", "days"), ("value", values["days"] ?? ""), ("inputmode", "numeric")])
                f.element("button", [("type", "submit")], text: (id == nil ? Word.postButton : .saveButton).text(l))
            }
        }
    }

    /// A fieldset of radio buttons, each with its label.
    func radios(_ h: inout HTML, _ name: String, _ legend: String, _ chosen: String, _ options: [(value: String, text: String)]) {
        h.element("fieldset", [("id", name)]) { fs in
            fs.element("legend", text: legend)
            for o in options {
                fs.element("label", [("class", "choice"), ("for", "\(name)-\(o.value)")]) { lab in
                    lab.void("input", [("type", "radio"), ("id", "\(name)-\(o.value)"), ("name", name), ("value", o.value), ("checked", chosen == o.value ? "" : nil)])
                    lab.text(o.text)
                }
            }
        }
    }

    /// The edit form, filled in from the listing as it stands (its author only).
    func editListingPage(_ page: Request, id: ListingID) throws -> HTTPResponse {
        let session = try page.requireSession()
        guard let row = try api.read({ try $0.listing(id) }), row.record.info.author == session.login.member, !row.record.withdrawn else { throw PageError.notFound }
        let i = row.record.info
        let values = ["kind": i.kind.rawValue, "title": i.title, "text": i.text, "domain": i.domain, "place": i.place ?? "", "availability": i.availability ?? ""]
        return try listingForm(page, id: id, values: values, refusal: nil, status: 200)
    }

    /// Posts or edits a listing through the core; a refusal keeps the input.
    func saveListing(_ page: inout Request, id: ListingID?) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let f = page.form
        var values = f
        values["csrf"] = nil
        values["key"] = nil
        func refuse(_ v: RuleViolation) throws -> HTTPResponse { try listingForm(page, id: id, values: values, refusal: v, status: 422) }
        let side: ListingSide
        if let id { side = id.side } else { side = ListingSide(rawValue: f["side"] ?? "") ?? .offer }
        let kind = ExchangeKind(rawValue: f["kind"] ?? "") ?? .time
        var days: Int64?
        if let text = f["days"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let d = Int64(text) else { return try refuse(RuleViolation(.inputInvalid, .daysUnreadable(String(text.prefix(40))), field: .days)) }
            days = d
        }
        func optional(_ k: String) -> String? { f[k].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let draft = ListingDraft(side: side, author: session.login.member, kind: kind, domain: f["domain"] ?? "", title: f["title"] ?? "",
                                 text: f["text"] ?? "", place: optional("place"), availability: optional("availability"), days: days,
                                 challenge: f["challenge"].flatMap { ChallengeID(canonical: $0) })
        let command: Command = id.map { .editListing($0, draft) } ?? .postListing(draft)
        switch try submit(page, command, session: session) {
        case .success(let o):
            let posted = id ?? o.event.listingID
            return redirect(posted.map { "/listings/\($0)" } ?? "/")
        case .failure(let v): return try refuse(v)
        }
    }

    /// Withdraws or renews a listing (its author); a refusal is shown on the listing's page.
    func listingStep(_ page: inout Request, id: ListingID, step: String) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let command: Command = step == "withdraw" ? .withdrawListing(id) : .renewListing(id, days: nil)
        switch try submit(page, command, session: session) {
        case .success: return redirect("/listings/\(id)")
        case .failure(let v):
            if v.code == .listingNotFound { throw PageError.notFound }
            return try listingPage(page, id: id, refusal: v, status: 422)
        }
    }
}

extension ListingSide {
    var word: Word { self == .offer ? .sideOffer : .sideRequest }
}

extension ExchangeKind {
    var word: Word {
        switch self {
        case .time: .kindTime
        case .space: .kindSpace
        case .goods: .kindGoods
        }
    }
}

extension MemberKind {
    var word: Word {
        switch self {
        case .person: .memberPerson
        case .company: .memberCompany
        case .association: .memberAssociation
        case .initiative: .memberInitiative
        case .municipality: .memberMunicipality
        case .pool: .memberPool
        }
    }
}
