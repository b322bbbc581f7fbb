import Foundation
import KringCore
import KringStore

/// The web pages: server-rendered HTML in Dutch (the default) and English, on the API's ledger,
/// writer and rules. No rule lives here: a form becomes a command, the core judges it, and a
/// refusal comes back as the rule's sentence beside its field. See docs/web.md.
final class Web: @unchecked Sendable {
    unowned let api: API
    /// The site's origin (`https://kring.example.be`) when the operator named it: POSTs must
    /// come from it, and cookies are `Secure` when it is https.
    let publicURL: String?
    /// Binds the forms drawn before a session (sign-in, invitation) to their pre-session
    /// cookie; new at each start, so such a form drawn before a restart is simply drawn again.
    private let formKey: [UInt8]
    let throttle = SignInThrottle()
    /// Password hashing: at most 2 at once and 8 waiting; beyond, 503 with Retry-After.
    let hashing = HashingGate(running: 2, waiting: 8)

    static let sessionCookie = "kring_session", preCookie = "kring_pre", languageCookie = "kring_lang"

    init(api: API, publicURL: String?) {
        self.api = api
        self.publicURL = publicURL
        formKey = Logins.randomBytes()
    }

    /// Whether the pages answer `path`: everything but the API's namespace (`/v1`, and any
    /// `/vN` a later API may use, which answers problem+json like the API), the statistics,
    /// health and metrics.
    static func handles(_ path: String) -> Bool {
        // On the bytes: the parser admits only visible ASCII in a target, so a byte is a letter.
        let u = path.utf8
        let first = u.dropFirst().prefix { $0 != UInt8(ascii: "/") }
        let versioned = first.count >= 2 && first.first == UInt8(ascii: "v") && first.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return !(versioned || u.elementsEqual("/health".utf8) || u.elementsEqual("/metrics".utf8) || u.starts(with: "/stats".utf8))
    }

    /// One request for a page or a form.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        var page = Request(request, web: self)
        var response: HTTPResponse
        do {
            response = try route(&page)
        } catch let e as PageError {
            response = errorPage(e, page)
        } catch {
            try? FileHandle.standardError.write(contentsOf: Data("kring serve: \(request.method) \(request.path): \(error)\n".utf8))
            response = errorPage(.storage, page)
        }
        return secured(response, page)
    }

    /// The headers every page carries: no script at all, no framing, no sniffing, no
    /// referrer to elsewhere, and no caching of pages that may show a member's figures.
    private func secured(_ r: HTTPResponse, _ page: Request) -> HTTPResponse {
        var r = r
        r.headers += [
            ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
        ]
        if !r.headers.contains(where: { $0.name == "Cache-Control" }) { r.headers.append(("Cache-Control", "no-store")) }
        r.headers += page.setCookies.map { ("Set-Cookie", $0) }
        if let login = page.session?.login.id { r.headers.append(("X-Kring-Principal", login.description)) }
        return r
    }

    /// Today in the circle's time zone (a policy setting, with daylight saving).
    func today() throws -> Day { try api.read { try $0.policy() }.day(api.clock()) }

    /// The session a cookie names, read on a pooled reader (a page view does not wait for the
    /// writer); its last-seen time is written through the writer at most once a minute.
    func session(_ cookie: String) -> Session? {
        let now = api.clock()
        guard let (session, stale) = (try? api.read { try $0.session(cookie, now: now) }) ?? nil else { return nil }
        if stale { try? api.ledger.touchSession(cookie) }
        return session
    }

    // MARK: - Routing

    private func route(_ page: inout Request) throws -> HTTPResponse {
        let parts = page.parts
        let method = page.method
        if method == "POST" { try page.checkOrigin() }
        switch (method, parts.count) {
        case ("GET", 0): return page.session == nil ? try publicHome(page) : try home(page)
        case ("GET", 2) where parts[0] == "assets" && "/assets/\(parts[1])" == Stylesheet.path: return stylesheet(page)
        case ("GET", 1) where parts[0] == "sign-in": return signInPage(&page, name: "", message: nil, status: 200)
        case ("POST", 1) where parts[0] == "sign-in": return try signIn(&page)
        case ("POST", 1) where parts[0] == "sign-out":
            let s = try page.requireSession()
            try page.checkSessionForm()
            if let cookie = page.cookie(Web.sessionCookie) { try api.ledger.endSession(cookie) }
            _ = s
            page.setCookie(Web.sessionCookie, "", maxAge: 0)
            return redirect("/")
        case ("POST", 1) where parts[0] == "language":
            let lang = page.form["lang"].flatMap(Language.init(rawValue:)) ?? page.language
            page.setCookie(Web.languageCookie, lang.rawValue, maxAge: 365 * 86_400)
            let back = page.form["back"] ?? "/"
            return redirect(back.hasPrefix("/") && !back.hasPrefix("//") && !back.contains("\\") ? back : "/")
        case ("GET", 1) where parts[0] == "statement": return try statementPage(page)
        case ("GET", 1) where parts[0] == "statement.csv": return try statementCSV(page)
        case ("GET", 1) where parts[0] == "settings":
            return try settingsPage(page, message: nil, done: page.query["changed"] == "1", status: 200)
        case ("POST", 2) where parts[0] == "settings" && parts[1] == "password": return try changePassword(&page)
        case ("POST", 2) where parts[0] == "settings" && parts[1] == "sign-out-everywhere": return try signOutEverywhere(&page)
        case ("GET", 2) where parts[0] == "invitation": return try invitationPage(&page, code: parts[1], message: nil)
        case ("POST", 2) where parts[0] == "invitation": return try acceptInvitation(&page, code: parts[1])
        case ("GET", 2) where parts[0] == "exchanges" && parts[1] == "new":
            _ = try page.requireSession()
            return try newExchangePage(page, values: page.query, error: nil, status: 200)
        case ("POST", 2) where parts[0] == "exchanges" && parts[1] == "new": return try propose(&page)
        case ("GET", 2) where parts[0] == "exchanges":
            return try exchangePage(page, id: try exchangeID(parts[1]), refusal: nil, status: 200)
        case ("POST", 3) where parts[0] == "exchanges" && ["confirm", "reject", "cancel", "reverse"].contains(parts[2]):
            return try consent(&page, id: try exchangeID(parts[1]), step: parts[2])
        case ("GET", 1) where parts[0] == "offers": return try listingsPage(page)
        case ("GET", 2) where parts[0] == "listings" && parts[1] == "new":
            return try listingForm(page, id: nil, values: page.query, refusal: nil, status: 200)
        case ("POST", 2) where parts[0] == "listings" && parts[1] == "new": return try saveListing(&page, id: nil)
        case ("GET", 2) where parts[0] == "listings": return try listingPage(page, id: try listingID(parts[1]))
        case ("GET", 3) where parts[0] == "listings" && parts[2] == "edit": return try editListingPage(page, id: try listingID(parts[1]))
        case ("POST", 3) where parts[0] == "listings" && parts[2] == "edit": return try saveListing(&page, id: try listingID(parts[1]))
        case ("POST", 3) where parts[0] == "listings" && ["withdraw", "renew"].contains(parts[2]):
            return try listingStep(&page, id: try listingID(parts[1]), step: parts[2])
        case ("GET", 2) where parts[0] == "members":
            guard let id = MemberID(canonical: parts[1]) else { throw PageError.notFound }
            return try memberPage(page, id: id)
        case ("GET", 2) where parts[0] == "settings" && parts[1] == "leave": return try leavePage(page)
        case ("POST", 2) where parts[0] == "settings" && parts[1] == "leave": return try leave(&page)
        case ("GET", 1) where parts[0] == "left": return leftPage(page)
        case ("GET", 1) where parts[0] == "loans": return try loansPage(page)
        case ("GET", 1) where parts[0] == "desk": return try deskPage(page)
        case ("POST", 2) where parts[0] == "desk" && parts[1] == "verify": return try deskVerify(&page)
        case ("GET", 2) where parts[0] == "desk" && parts[1] == "matches": return try matchesPage(page)
        case ("GET", 2) where parts[0] == "desk" && parts[1] == "import": return try importPage(page)
        case ("POST", 2) where parts[0] == "desk" && parts[1] == "import": return try deskImport(&page)
        case ("POST", 2) where parts[0] == "desk" && parts[1] == "introduce": return try introduce(&page)
        case ("GET", 2) where parts[0] == "desk" && parts[1] == "policy": return try policyPage(page, values: [:], error: nil, status: 200)
        case ("POST", 2) where parts[0] == "desk" && parts[1] == "policy": return try changePolicy(&page)
        case ("GET", 2) where parts[0] == "desk" && parts[1] == "slips": return try slipsPage(page, values: [:], results: [:], status: 200)
        case ("POST", 2) where parts[0] == "desk" && parts[1] == "slips": return try recordSlips(&page)
        case ("GET", 2) where parts[0] == "desk" && parts[1] == "members": return try membersDeskPage(page)
        case ("GET", 3) where parts[0] == "desk" && parts[1] == "members" && parts[2] == "new":
            return try registerPage(page, values: [:], error: nil, status: 200)
        case ("POST", 3) where parts[0] == "desk" && parts[1] == "members" && parts[2] == "new": return try register(&page)
        case ("GET", 3) where parts[0] == "desk" && parts[1] == "members":
            guard let id = MemberID(canonical: parts[2]) else { throw PageError.notFound }
            return try deskMemberPage(page, id: id)
        case ("POST", 4) where parts[0] == "desk" && parts[1] == "members" && ["invite", "suspend", "reinstate", "leave", "limits", "grant"].contains(parts[3]):
            guard let id = MemberID(canonical: parts[2]) else { throw PageError.notFound }
            return parts[3] == "invite" ? try deskInvite(&page, id: id) : try deskStep(&page, id: id, step: parts[3])
        case ("GET", 1) where parts[0] == "challenges": return try challengesPage(page)
        case ("GET", 2) where parts[0] == "challenges" && parts[1] == "new":
            return try newChallengePage(page, values: [:], chosen: [], refusal: nil, status: 200)
        case ("POST", 2) where parts[0] == "challenges" && parts[1] == "new": return try postChallenge(&page)
        case ("GET", 2) where parts[0] == "challenges":
            guard let id = ChallengeID(canonical: parts[1]) else { throw PageError.notFound }
            return try challengePage(page, id: id)
        case ("POST", 3) where parts[0] == "challenges" && ["join", "pledge", "close"].contains(parts[2]):
            guard let id = ChallengeID(canonical: parts[1]) else { throw PageError.notFound }
            return try challengeStep(&page, id: id, step: parts[2])
        case ("GET", 2) where parts[0] == "loans" && parts[1] == "new":
            return try newLoanPage(page, values: page.query, error: nil, status: 200)
        case ("POST", 2) where parts[0] == "loans" && parts[1] == "new": return try lend(&page)
        case ("POST", 3) where parts[0] == "loans" && parts[2] == "return":
            guard let id = LoanID(canonical: parts[1]) else { throw PageError.notFound }
            return try returnLoan(&page, id: id)
        case ("GET", 1) where parts[0] == "rooms": return try roomsPage(page)
        case ("GET", 1) where parts[0] == "experts": return try expertsPage(page)
        // A room's and an expert's pages are one page, drawn for the offer's kind.
        case ("GET", 2) where ["rooms", "experts"].contains(parts[0]): return try roomPage(page, id: try bookableID(page))
        case ("POST", 3) where ["rooms", "experts"].contains(parts[0]) && parts[2] == "book": return try book(&page, id: try bookableID(page))
        case ("GET", 3) where ["rooms", "experts"].contains(parts[0]) && parts[2] == "hours": return try roomHoursPage(page, id: try bookableID(page))
        case ("POST", 3) where ["rooms", "experts"].contains(parts[0]) && parts[2] == "hours": return try saveRoomHours(&page, id: try bookableID(page))
        case ("GET", 1) where parts[0] == "bookings": return try bookingsPage(page)
        case ("POST", 3) where parts[0] == "bookings" && ["cancel", "settle"].contains(parts[2]):
            guard let id = BookingID(canonical: parts[1]) else { throw PageError.notFound }
            return parts[2] == "cancel" ? try cancelBooking(&page, id: id) : try settleBooking(&page, id: id)
        default:
            throw PageError.notFound
        }
    }

    private func listingID(_ text: String) throws -> ListingID {
        guard let id = ListingID(canonical: text) else { throw PageError.notFound }
        return id
    }

    /// The offer of `/rooms/of-N/…` (a space) or `/experts/of-N/…` (a time offer); any other
    /// offer under that path is not found.
    private func bookableID(_ page: Request) throws -> ListingID {
        _ = try page.requireSession()
        let parts = page.parts
        let id = try listingID(parts[1])
        let kind = try api.read { r in try r.listing(id)?.record.info.kind }
        guard id.side == .offer, kind == (parts[0] == "experts" ? .time : .space) else { throw PageError.notFound }
        return id
    }

    private func exchangeID(_ text: String) throws -> ExchangeID {
        guard let id = ExchangeID(canonical: text) else { throw PageError.notFound }
        return id
    }

    // MARK: - Pages

    private func stylesheet(_ page: Request) -> HTTPResponse {
        let etag = "\"\(Stylesheet.hash)\""
        let caching: [(name: String, value: String)] = [("Cache-Control", "public, max-age=31536000, immutable"), ("ETag", etag)]
        if page.raw.header("if-none-match") == etag { return HTTPResponse(status: 304, headers: caching) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/css; charset=utf-8")] + caching, body: Stylesheet.bytes)
    }

    /// The circle in a few words, the newest open offers and requests with a search, the
    /// figures and signing in.
    private func publicHome(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let now = api.clock()
        let newest = try api.read { r in try r.listings(ListingFilter(), today: try r.policy().day(now), limit: 10) }
        return document(page, title: Word.publicTitle.text(l)) { h in
            h.element("p", text: Word.publicIntro.text(l))
            h.element("p", text: Word.publicSignInHint.text(l))
            h.element("p") { $0.element("a", [("href", "/sign-in")], text: Word.navSignIn.text(l)) }
            h.element("h2", text: Word.recentListings.text(l))
            h.element("form", [("method", "get"), ("action", "/offers"), ("role", "search")]) { f in
                field(&f, id: "q", label: Word.searchWords.text(l), hint: Word.searchHint.text(l), error: nil,
                      attributes: [("type", "search"), ("name", "q"), ("maxlength", String(Reader.maxSearchLength))])
                f.element("button", [("type", "submit")], text: Word.searchButton.text(l))
            }
            listingList(&h, l, newest, empty: Word.noListings.text(l))
            h.element("p") { $0.element("a", [("href", "/offers")], text: Word.allListings.text(l)) }
            h.element("p") { $0.element("a", [("href", "/stats")], text: Word.statsLink.text(l)) }
        }
    }

    private func signInPage(_ page: inout Request, name: String, message: String?, status: Int) -> HTTPResponse {
        let l = page.language
        let token = preSessionToken(&page)
        return document(page, title: Word.signInTitle.text(l), status: status) { h in
            if let message { errorSummary(&h, l, [(message, "login")]) }
            h.element("form", [("method", "post"), ("action", "/sign-in"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", token)])
                field(&f, id: "login", label: Word.loginName.text(l), hint: Word.loginNameHint.text(l), error: message == nil ? nil : "",
                      attributes: [("type", "text"), ("name", "login"), ("value", name), ("autocomplete", "username"), ("autocapitalize", "none"), ("spellcheck", "false")])
                field(&f, id: "password", label: Word.password.text(l), hint: nil, error: nil,
                      attributes: [("type", "password"), ("name", "password"), ("autocomplete", "current-password")])
                f.element("button", [("type", "submit")], text: Word.signInButton.text(l))
            }
        }
    }

    private func signIn(_ page: inout Request) throws -> HTTPResponse {
        try page.checkPreSessionForm(formKey)
        let l = page.language
        let name = String((page.form["login"] ?? "").prefix(100)), password = page.form["password"] ?? ""
        let address = page.raw.clientAddress
        if let wait = throttle.wait(login: name, address: address) {
            var r = signInPage(&page, name: name, message: Word.signInWait.text(l, String(wait)), status: 429)
            r.headers.append(("Retry-After", String(wait)))
            return r
        }
        guard let result = try hashing.run({ try api.ledger.signIn(name: name, password: String(password.prefix(PasswordHash.maxLength * 4))) }) else {
            var r = signInPage(&page, name: name, message: Word.signInBusy.text(l), status: 503)
            r.headers.append(("Retry-After", "2"))
            return r
        }
        guard let (cookie, _) = result else {
            throttle.failed(login: name, address: address)
            return signInPage(&page, name: name, message: Word.signInFailed.text(l), status: 401)
        }
        throttle.succeeded(login: name, address: address)
        page.setCookie(Web.sessionCookie, cookie, maxAge: nil)
        return redirect("/")
    }

    private func invitationPage(_ page: inout Request, code: String, message: (String, String)?, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let state = try api.ledger.invitation(code)
        guard case .valid(let login) = state else {
            let reason = state.refusal ?? .invitationUnknown
            return document(page, title: Word.invitationProblemTitle.text(l), status: state == .unknown ? 404 : 410) { h in
                h.element("p", text: reason.sentence(in: l))
                h.element("p") { $0.element("a", [("href", "/sign-in")], text: Word.navSignIn.text(l)) }
            }
        }
        let member = try api.read { try $0.member(login.member) }
        let token = preSessionToken(&page)
        return document(page, title: Word.invitationTitle.text(l), status: status) { h in
            if let message { errorSummary(&h, l, [message]) }
            h.element("p", text: Word.invitationIntro.text(l, member?.state.info.name ?? login.member.handle, login.name))
            h.element("form", [("method", "post"), ("action", "/invitation/\(code)"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", token)])
                f.void("input", [("type", "hidden"), ("name", "username"), ("value", login.name), ("autocomplete", "username")])
                field(&f, id: "password", label: Word.newPassword.text(l), hint: Word.passwordHint.text(l), error: message?.1 == "password" ? message?.0 : nil,
                      attributes: [("type", "password"), ("name", "password"), ("autocomplete", "new-password")])
                field(&f, id: "repeat", label: Word.repeatPassword.text(l), hint: nil, error: message?.1 == "repeat" ? message?.0 : nil,
                      attributes: [("type", "password"), ("name", "repeat"), ("autocomplete", "new-password")])
                f.element("button", [("type", "submit")], text: Word.savePassword.text(l))
            }
        }
    }

    private func acceptInvitation(_ page: inout Request, code: String) throws -> HTTPResponse {
        try page.checkPreSessionForm(formKey)
        let l = page.language
        let password = page.form["password"] ?? "", again = page.form["repeat"] ?? ""
        guard password == again else { return try invitationPage(&page, code: code, message: (Word.passwordsDiffer.text(l), "repeat"), status: 422) }
        guard let result = try hashing.run({ () throws -> Result<(session: String, info: Session), RuleViolation> in
            do { return .success(try api.ledger.acceptInvitation(code, password: password)) } catch let e as LedgerError {
                guard case .rule(let v) = e else { throw e }
                return .failure(v)
            }
        }) else {
            var r = try invitationPage(&page, code: code, message: (Word.signInBusy.text(l), "password"), status: 503)
            r.headers.append(("Retry-After", "2"))
            return r
        }
        switch result {
        case .success(let (cookie, _)):
            page.setCookie(Web.sessionCookie, cookie, maxAge: nil)
            return redirect("/")
        case .failure(let v):
            return try invitationPage(&page, code: code, message: (v.sentence(in: l), v.field?.rawValue ?? "password"), status: 422)
        }
    }

    private func home(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let me = session.login.member
        let now = api.clock()
        // One read transaction for the whole page.
        let (row, exchanges, policy, listings, loans, introductions) = try api.read { r in
            let policy = try r.policy()
            var introductions = [(IntroductionRow, request: ListingInfo, offer: ListingInfo, other: String)]()
            for i in try r.introductions(member: me, limit: Web.introductionsShown) {
                guard let request = try r.listing(i.request)?.record.info, let offer = try r.listing(i.offer)?.record.info else { continue }
                let other = request.author == me ? offer.author : request.author
                introductions.append((i, request, offer, try r.member(other)?.state.info.name ?? other.handle))
            }
            return (try r.member(me), try r.exchanges(member: me, limit: 20), policy, try r.listings(ListingFilter(author: me), today: policy.day(now), limit: 50),
                    try r.loans(member: me, outOnly: true, limit: 20), introductions)
        }
        let today = policy.day(now)
        guard let row else { throw PageError.notFound }
        let open = exchanges.filter { $0.record.state == .proposed }
        let mine = open.filter { !$0.record.consents.contains(me) }, theirs = open.filter { $0.record.consents.contains(me) }
        return document(page, title: Word.homeTitle.text(l)) { h in
            h.element("section", [("class", "balance"), ("aria-labelledby", "balance")]) { b in
                b.element("h2", [("id", "balance")], text: Word.balance.text(l))
                let balance = row.state.balance
                b.element("strong", text: l.amount(balance))
                let sentence: Word = balance.value > 0 ? .balanceInCredit : balance.value < 0 ? .balanceInDebt : .balanceZero
                b.element("p", text: sentence.text(l, l.amount(Minutes(abs(balance.value)))))
                b.element("p", text: Word.floorIs.text(l, l.amount(row.floor), l.amount(balance - row.floor)))
                if let c = row.ceiling { b.element("p", text: Word.ceilingIs.text(l, l.amount(c), l.amount(c - balance))) } else { b.element("p", text: Word.noCeiling.text(l)) }
                let margin = Minutes(policy.warningMarginMinutes)
                if balance - row.floor <= margin { b.element("p", [("class", "error")], text: Word.nearFloor.text(l)) }
                if let c = row.ceiling, c - balance <= margin { b.element("p", [("class", "error")], text: Word.nearCeiling.text(l)) }
            }
            h.element("p") { $0.element("a", [("href", "/exchanges/new")], text: Word.logExchange.text(l)) }
            h.element("h2", text: Word.waitingForYou.text(l))
            exchangeList(&h, l, mine, empty: Word.nothingWaiting.text(l), zone: policy.zone)
            if !theirs.isEmpty {
                h.element("h2", text: Word.waitingForOthers.text(l))
                exchangeList(&h, l, theirs, empty: "", zone: policy.zone)
            }
            introductionsSection(&h, l, me: me, introductions)
            h.element("h2", text: Word.recentExchanges.text(l))
            exchangeList(&h, l, exchanges.filter { $0.record.state != .proposed }.prefix(10).map { $0 }, empty: Word.noExchanges.text(l), zone: policy.zone)
            if !loans.isEmpty {
                // Goods out, soonest due first, overdue marked.
                h.element("h2", text: Word.navLoans.text(l))
                h.element("ul", [("class", "items")]) { ul in
                    for loan in loans.sorted(by: { $0.info.due < $1.info.due }) {
                        ul.element("li") { li in
                            li.element("a", [("href", "/loans")], text: loan.info.what)
                            li.text(" — " + (loan.info.lender == me ? Word.lentOut : .borrowed).text(l) + ", " + Word.dueOn.text(l, l.day(loan.info.due)))
                            if loan.isOverdue(on: today) { li.text(" "); li.element("span", [("class", "error")], text: Word.overdue.text(l)) }
                        }
                    }
                }
            }
            h.element("h2", text: Word.myListings.text(l))
            listingList(&h, l, listings, empty: Word.noMyListings.text(l))
            h.element("p") { $0.element("a", [("href", "/listings/new")], text: Word.newListingTitle.text(l)) }
        }
    }

    func exchangeList(_ h: inout HTML, _ l: Language, _ rows: [ExchangeRow], empty: String, zone: TimeZone) {
        guard !rows.isEmpty else { h.element("p", text: empty); return }
        h.element("ul", [("class", "items")]) { ul in
            for row in rows {
                let i = row.record.info
                ul.element("li") { li in
                    li.element("a", [("href", "/exchanges/\(i.id)")], text: "\(l.day(i.date)): \(i.what)")
                    var detail = " — \(l.amount(i.credits)), \(row.record.state.word.text(l))"
                    if row.record.state == .proposed, let e = i.expiresAt { detail += ", " + Word.expiresOn.text(l, l.day(Policy.day(e, in: zone))) }
                    li.text(detail)
                }
            }
        }
    }

    /// The form's error: the message and the field it is shown beside.
    typealias FormError = (message: String, field: String)

    /// "Log an exchange": direction, the other member(s) by name or id, what was given, what,
    /// domain, date and hours; from a listing's "respond" it comes filled in and linked.
    private func newExchangePage(_ page: Request, values: [String: String], error formError: FormError?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let now = api.clock()
        let (policy, own) = try api.read { r in
            let policy = try r.policy()
            return (policy, try r.listings(ListingFilter(author: session.login.member), today: policy.day(now), limit: 50))
        }
        let today = policy.day(now)
        var values = values
        var linked: ListingRow?
        if let text = values["listing"], let id = ListingID(canonical: text) {
            linked = try api.read { try $0.listing(id) }.flatMap { $0.record.isOpen(on: today) ? $0 : nil }
            if let row = linked, values["other"] == nil, row.record.info.author != session.login.member {
                let i = row.record.info
                values["other"] = i.author.handle
                values["what"] = i.title
                values["domain"] = i.domain
                values["kind"] = i.kind.rawValue
                values["direction"] = i.side == .offer ? "received" : "gave"
            }
        }
        // A refusal about the links is shown by the listings' choice, or by "what" without one.
        let formError = formError.map { $0.field == "own" && own.isEmpty ? (message: $0.message, field: "what") : $0 }
        func error(_ name: String) -> String? { formError?.field == name ? formError?.message : nil }
        return document(page, title: Word.newExchangeTitle.text(l), status: status) { h in
            if let formError { errorSummary(&h, l, [formError]) }
            h.element("p", text: Word.newExchangeIntro.text(l))
            if let row = linked { linkedListing(&h, l, row) }
            h.element("form", [("method", "post"), ("action", "/exchanges/new"), ("novalidate", "")]) { f in
                f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                if let row = linked { f.void("input", [("type", "hidden"), ("name", "listing"), ("value", row.record.info.id.description)]) }
                radios(&f, "direction", Word.direction.text(l), values["direction"] ?? "gave", [("gave", Word.iHelped.text(l)), ("received", Word.helpedMe.text(l))])
                field(&f, id: "other", label: Word.otherMember.text(l), hint: Word.otherMemberHint.text(l), error: error("other"),
                      attributes: [("type", "text"), ("name", "other"), ("value", values["other"] ?? ""), ("autocapitalize", "none"), ("spellcheck", "false"), ("maxlength", "1000")])
                radios(&f, "kind", Word.exchangeKind.text(l), values["kind"] ?? "time",
                       [("time", Word.kindTimeLong.text(l)), ("space", Word.kindSpaceLong.text(l)), ("goods", Word.kindGoodsLong.text(l))])
                field(&f, id: "what", label: Word.what.text(l), hint: nil, error: error("what"),
                      attributes: [("type", "text"), ("name", "what"), ("value", values["what"] ?? ""), ("maxlength", "500")])
                f.element("label", [("for", "domain")], text: Word.domain.text(l))
                if let e = error("domain") { f.element("p", [("class", "error"), ("id", "domain-error")], text: e) }
                f.element("select", [("id", "domain"), ("name", "domain"), ("aria-describedby", error("domain") == nil ? nil : "domain-error")]) { s in
                    for d in policy.domains { s.element("option", [("value", d), ("selected", values["domain"] == d ? "" : nil)], text: d) }
                }
                field(&f, id: "date", label: Word.date.text(l), hint: nil, error: error("date"),
                      attributes: [("type", "date"), ("name", "date"), ("value", values["date"] ?? today.description)])
                field(&f, id: "hours", label: Word.hours.text(l), hint: Word.hoursHint.text(l) + " " + Word.kindGiftHint.text(l), error: error("hours"),
                      attributes: [("type", "text"), ("name", "hours"), ("value", values["hours"] ?? ""), ("inputmode", "decimal")])
                if !own.isEmpty {
                    // The person's own offer it fulfils (they gave) or request (they received);
                    // the rules say which fit.
                    listingChoice(&f, "own", label: Word.ownListing.text(l), own, chosen: values["own"], error: error("own"), l) { "\($0.side.word.text(l)): \($0.title)" }
                }
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "review")], text: Word.reviewButton.text(l))
            }
        }
    }

    /// The form field a refusal's input field is shown beside.
    private func formField(for field: Field?) -> String {
        switch field {
        case .providers?, .receivers?: return "other"
        case .credits?, .quantity?: return "hours"
        case .date?: return "date"
        case .domain?: return "domain"
        case .links?: return "own"
        default: return "what"
        }
    }

    /// Most members a form may name by name rather than id.
    static let maxNamesPerForm = 20

    /// The members a person named, by id or by name, separated by commas: each must be
    /// exactly one active member (the pool and the person themself aside), else the sentence
    /// saying who was not found or who is meant.
    func resolveMembers(_ text: String, me: MemberID, _ l: Language) throws -> (members: [MemberID], problem: String?) {
        var found = [MemberID]()
        var byName = 0
        // One more than any policy allows, so the rules still see a group that is too large.
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }).prefix(Int(Policy.maxGroupLimit) + 1) {
            if let id = MemberID(canonical: item.lowercased()), try api.read({ try $0.member(id) }) != nil { found.append(id); continue }
            // A name is looked up among all members: a few per form.
            byName += 1
            guard byName <= Web.maxNamesPerForm else { return ([], Word.tooManyNames.text(l, String(Web.maxNamesPerForm))) }
            let named = try api.read { try $0.findMembers(item, limit: 6) }.filter { $0.id != me }
            switch named.count {
            case 0: return ([], Word.noMemberNamed.text(l, item))
            case 1: found.append(named[0].id)
            default:
                let list = named.prefix(5).map { m in "\(m.name) (\(m.id)\(m.neighbourhood.map { ", " + $0 } ?? ""))" }.joined(separator: "; ")
                return ([], Word.memberAmbiguous.text(l, item, list))
            }
        }
        return (found, nil)
    }

    /// The form's answer: checked by the rules without writing and shown with its effect on
    /// the person's own balance ("check your answers"); sent from there; or back to the form.
    private func propose(_ page: inout Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let l = page.language
        let f = page.form
        let me = session.login.member
        var values = f
        for k in ["csrf", "key", "step"] { values[k] = nil }
        func refuse(_ e: FormError) throws -> HTTPResponse { try newExchangePage(page, values: values, error: e, status: 422) }
        func refuse(_ v: RuleViolation) throws -> HTTPResponse { try refuse((v.sentence(in: l), formField(for: v.field))) }
        if f["step"] == "edit" { return try newExchangePage(page, values: values, error: nil, status: 200) }
        let (others, problem) = try resolveMembers(f["other"] ?? "", me: me, l)
        if let problem { return try refuse((problem, "other")) }
        guard !others.isEmpty else { return try refuse(RuleViolation(.inputGroup, .groupEmpty, field: .receivers)) }
        guard let minutes = Minutes.parse((f["hours"] ?? "").replacingOccurrences(of: ",", with: ".")) else {
            return try refuse(RuleViolation(.inputAmount, .amountUnreadable(String((f["hours"] ?? "").prefix(40))), field: .credits))
        }
        guard let date = Day(iso: f["date"] ?? "") else { return try refuse(RuleViolation(.inputInvalid, .dateUnreadable(String((f["date"] ?? "").prefix(40))), field: .date)) }
        let gave = f["direction"] != "received"
        let links = ["listing", "own"].compactMap { f[$0].flatMap { ListingID(canonical: $0) } }.map(ExchangeLink.listing)
        let draft = ExchangeDraft(providers: gave ? [me] : others, receivers: gave ? others : [me], kind: ExchangeKind(rawValue: f["kind"] ?? "") ?? .time,
                                  domain: f["domain"] ?? "", what: f["what"] ?? "", credits: minutes, date: date, links: links)
        if f["step"] == "send" {
            switch try submit(page, .propose(draft), session: session) {
            case .success(let o): return redirect("/exchanges/\(o.event.exchangeID?.description ?? "")")
            case .failure(let v): return try refuse(v)
            }
        }
        let now = api.clock()
        let judged = try api.read { r in (try r.judge(.propose(draft), by: session.login.actor, now: now), try r.member(me)) }
        let decision: Decision
        switch judged.0 {
        case .success(let d): decision = d
        case .failure(let v): return try refuse(v)
        }
        guard case .exchangeProposed(let proposed) = decision.event, let balance = judged.1?.state.balance else { throw PageError.storage }
        values["other"] = others.map(\.handle).joined(separator: ", ")
        let change = proposed.exchange.transfers.reduce(0) { $0 + ($1.to == me ? $1.minutes.value : $1.from == me ? -$1.minutes.value : 0) }
        return try reviewPage(page, values: values, info: proposed.exchange, balance: balance, after: balance + Minutes(change), session: session)
    }

    /// "Check your answers": what will be proposed, with whom, and what it does to the
    /// person's own balance when confirmed (never another member's); send or change.
    private func reviewPage(_ page: Request, values: [String: String], info: ExchangeInfo, balance: Minutes, after: Minutes, session: Session) throws -> HTTPResponse {
        let l = page.language
        let names = try api.read { r in try info.parties.filter { $0 != session.login.member }.map { try r.member($0)?.state.info.name ?? $0.handle } }
        return document(page, title: Word.reviewTitle.text(l)) { h in
            h.element("dl") { dl in
                dl.element("dt", text: Word.direction.text(l))
                dl.element("dd", text: (info.providers.contains(session.login.member) ? Word.iHelped : .helpedMe).text(l))
                dl.element("dt", text: Word.reviewWith.text(l)); dl.element("dd", text: names.joined(separator: ", "))
                dl.element("dt", text: Word.exchangeKind.text(l)); dl.element("dd", text: info.kind.word.text(l))
                dl.element("dt", text: Word.what.text(l)); dl.element("dd", text: info.what)
                dl.element("dt", text: Word.domain.text(l)); dl.element("dd", text: info.domain)
                dl.element("dt", text: Word.date.text(l)); dl.element("dd", text: l.day(info.date))
                dl.element("dt", text: Word.hours.text(l)); dl.element("dd", text: l.amount(info.credits))
            }
            h.element("p", [("class", "effect")], text: after == balance ? Word.reviewNoEffect.text(l, l.amount(balance))
                                                   : Word.reviewEffect.text(l, l.amount(balance), l.amount(after)))
            writingForm(&h, action: "/exchanges/new", session) { f in
                for (k, v) in values.sorted(by: { $0.key < $1.key }) where ["direction", "other", "kind", "what", "domain", "date", "hours", "listing", "own"].contains(k) {
                    f.void("input", [("type", "hidden"), ("name", k), ("value", v)])
                }
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "send")], text: Word.propose.text(l))
                f.element("button", [("type", "submit"), ("name", "step"), ("value", "edit"), ("class", "secondary")], text: Word.changeAnswers.text(l))
            }
        }
    }

    private func exchangePage(_ page: Request, id: ExchangeID, refusal: RuleViolation?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        guard let row = try api.read({ try $0.exchange(id) }) else { throw PageError.notFound }
        let i = row.record.info, me = session.login.member
        guard i.parties.contains(me) || session.login.role == .coordinator else { throw PageError.notFound }
        let listings: [ListingRow] = try api.read { r in
            try i.links.compactMap { link -> ListingRow? in if case .listing(let id) = link { return try r.listing(id) } else { return nil } }
        }
        return document(page, title: Word.exchangeTitle.text(l, id.description), status: status) { h in
            if let refusal { errorSummary(&h, l, [(refusal.sentence(in: l), "actions")]) }
            h.element("dl") { dl in
                dl.element("dt", text: Word.what.text(l)); dl.element("dd", text: i.what)
                dl.element("dt", text: Word.state.text(l)); dl.element("dd", text: row.record.state.word.text(l))
                dl.element("dt", text: Word.date.text(l)); dl.element("dd", text: l.day(i.date))
                dl.element("dt", text: Word.credits.text(l)); dl.element("dd", text: l.amount(i.credits))
                dl.element("dt", text: Word.domain.text(l)); dl.element("dd", text: i.domain)
                dl.element("dt", text: Word.providers.text(l)); dl.element("dd", text: i.providers.map(\.handle).joined(separator: ", "))
                dl.element("dt", text: Word.receivers.text(l)); dl.element("dd", text: i.receivers.map(\.handle).joined(separator: ", "))
                dl.element("dt", text: Word.consented.text(l)); dl.element("dd", text: row.record.consents.map(\.handle).joined(separator: ", "))
            }
            if let p = i.proposer { h.element("p", text: Word.proposedBy.text(l, p.handle)) }
            if let why = row.endReason { h.element("p", [("class", "effect")], text: Word.endReason.text(l, why)) }
            if let why = row.record.reversalReason { h.element("p", [("class", "effect")], text: Word.endReason.text(l, why)) }
            if session.login.role == .coordinator && row.record.state == .confirmed {
                // The coordinator may reverse a confirmed exchange, once, with a reason.
                h.element("h2", text: Word.reverseTitle.text(l))
                h.element("form", [("id", "actions"), ("method", "post"), ("action", "/exchanges/\(id)/reverse"), ("novalidate", "")]) { f in
                    f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                    f.void("input", [("type", "hidden"), ("name", "key"), ("value", Web.newKey())])
                    field(&f, id: "reverse-reason", label: Word.reverseReason.text(l), hint: nil, error: nil,
                          attributes: [("type", "text"), ("name", "reason"), ("maxlength", "500")])
                    f.element("button", [("type", "submit"), ("class", "warning")], text: Word.reverseButton.text(l))
                }
            }
            for row in listings { linkedListing(&h, l, row) }
            guard row.record.state == .proposed, i.parties.contains(me) else { return }
            h.element("div", [("id", "actions")]) { d in
                var steps = [(String, Word)]()
                if !row.record.consents.contains(me) { steps += [("confirm", .confirm), ("reject", .reject)] }
                if i.proposer == me { steps.append(("cancel", .cancel)) }
                for (step, word) in steps {
                    // Rejecting and cancelling may say why; the others are told.
                    let why: Word? = step == "reject" ? .rejectReason : step == "cancel" ? .cancelReason : nil
                    d.element("form", [("class", why == nil ? "inline" : nil), ("method", "post"), ("action", "/exchanges/\(id)/\(step)")]) { f in
                        f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
                        f.void("input", [("type", "hidden"), ("name", "key"), ("value", Web.newKey())])
                        if let why {
                            field(&f, id: "\(step)-reason", label: why.text(l), hint: nil, error: nil,
                                  attributes: [("type", "text"), ("name", "reason"), ("maxlength", String(Decider.maxTextLength))])
                        }
                        f.element("button", [("type", "submit"), ("class", step == "confirm" ? nil : "secondary")], text: word.text(l))
                    }
                }
            }
        }
    }

    private func consent(_ page: inout Request, id: ExchangeID, step: String) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let reason = page.form["reason"]
        let command: Command = switch step {
        case "confirm": .confirm(id)
        case "reject": .reject(id, reason: reason)
        case "reverse": .reverse(id, reason: reason ?? "")
        default: .cancel(id, reason: reason)
        }
        switch try submit(page, command, session: session) {
        case .success: return redirect("/exchanges/\(id)")
        case .failure(let v):
            if v.code == .exchangeNotFound { throw PageError.notFound }
            return try exchangePage(page, id: id, refusal: v, status: 422)
        }
    }

    // MARK: - Writes

    /// Runs `command` for the session's login through the API's writer, with the form's
    /// idempotency key (made when the page was drawn): a double click, a reload or a
    /// resubmitted form writes once and comes to what the first did.
    /// A form of several writes (the desk's paper slips) gives each part its own `key` and
    /// names the `part` (its fields), which the key's request hash then covers.
    func submit(_ page: Request, _ command: Command, session: Session, key partKey: String? = nil, part: String? = nil) throws -> Result<Outcome, RuleViolation> {
        guard let key = partKey ?? page.form["key"], key.utf8.count == 32, key.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw PageError.formExpired
        }
        var hashed = Array("POST \(page.raw.path)\n".utf8)
        if let part { hashed.append(contentsOf: part.utf8) } else { hashed.append(contentsOf: page.raw.body) }
        let item = BatchItem(command: command, actor: session.login.actor,
                             idempotency: IdempotencyKey(scope: "web:\(session.login.id)", key: key, requestHash: SHA256.hash(hashed)))
        switch api.commit(item) {
        case .success(.fresh(let r)), .success(.replay(let r)): return r
        case .success(.replayAnswer), .success(.conflict): throw PageError.formExpired
        case .failure: throw PageError.busy
        }
    }

    /// A fresh idempotency key for a form: 128 random bits in hex.
    static func newKey() -> String { Logins.randomBytes(16).hexString }

    // MARK: - Pieces

    /// The token of a form drawn before a session: HMAC of the pre-session cookie, which is
    /// set here when the browser has none.
    private func preSessionToken(_ page: inout Request) -> String {
        let pre: String
        if let c = page.cookie(Web.preCookie), c.utf8.count == 64 { pre = c } else {
            pre = Web.newKey() + Web.newKey()
            page.setCookie(Web.preCookie, pre, maxAge: nil)
        }
        return HMACSHA256.mac(key: formKey, message: Array(pre.utf8)).hexString
    }

    func redirect(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", location)])
    }

    private func errorPage(_ e: PageError, _ page: Request) -> HTTPResponse {
        let l = page.language
        let (status, title, text): (Int, Word, Word) = switch e {
        case .notFound: (404, .notFoundTitle, .notFoundText)
        case .signInNeeded: (401, .signInTitle, .publicSignInHint)
        case .forbidden: (403, .forbiddenTitle, .forbiddenText)
        case .formExpired: (409, .formExpiredTitle, .formExpiredText)
        case .busy: (503, .formExpiredTitle, .signInBusy)
        case .storage: (500, .storageTitle, .storageText)
        }
        var r = document(page, title: title.text(l), status: status) { h in
            h.element("p", text: text.text(l))
            if e == .signInNeeded { h.element("p") { $0.element("a", [("href", "/sign-in")], text: Word.navSignIn.text(l)) } }
            else if page.session != nil { h.element("p") { $0.element("a", [("href", "/")], text: Word.backHome.text(l)) } }
        }
        if e == .busy { r.headers.append(("Retry-After", "2")) }
        return r
    }

    /// A whole page: `lang`, the stylesheet, a skip link, the navigation, one `h1`, the
    /// content, and the language choice.
    func document(_ page: Request, title: String, status: Int = 200, _ content: (inout HTML) -> Void) -> HTTPResponse {
        let l = page.language
        var h = HTML()
        h.doctype()
        h.element("html", [("lang", l.rawValue)]) { html in
            html.element("head") { head in
                head.void("meta", [("charset", "utf-8")])
                head.void("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
                head.element("title", text: "\(title) · \(Word.siteName.text(l))")
                head.void("link", [("rel", "stylesheet"), ("href", Stylesheet.path)])
            }
            html.element("body") { body in
                body.element("a", [("class", "skip"), ("href", "#main")], text: Word.skipToContent.text(l))
                body.element("header", [("class", "site")]) { header in
                    header.element("nav", [("aria-label", Word.mainNavigation.text(l))]) { nav in
                        nav.element("ul") { ul in
                            ul.element("li") { $0.element("a", [("href", "/")], text: Word.siteName.text(l)) }
                            if let s = page.session {
                                ul.element("li") { $0.element("a", [("href", "/exchanges/new")], text: Word.navNewExchange.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/offers")], text: Word.navOffers.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/rooms")], text: Word.navRooms.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/loans")], text: Word.navLoans.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/challenges")], text: Word.navChallenges.text(l)) }
                                if s.login.role == .coordinator { ul.element("li") { $0.element("a", [("href", "/desk")], text: Word.navDesk.text(l)) } }
                                ul.element("li") { $0.element("a", [("href", "/statement")], text: Word.navStatement.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/settings")], text: Word.navSettings.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/stats")], text: Word.navStatistics.text(l)) }
                                ul.element("li") { li in
                                    li.element("form", [("method", "post"), ("action", "/sign-out"), ("class", "inline")]) { f in
                                        f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", s.csrf)])
                                        f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.navSignOut.text(l))
                                    }
                                }
                            } else {
                                ul.element("li") { $0.element("a", [("href", "/offers")], text: Word.navOffers.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/stats")], text: Word.navStatistics.text(l)) }
                                ul.element("li") { $0.element("a", [("href", "/sign-in")], text: Word.navSignIn.text(l)) }
                            }
                        }
                    }
                }
                body.element("main", [("id", "main")]) { main in
                    main.element("h1", text: title)
                    content(&main)
                }
                body.element("footer", [("class", "site")]) { footer in
                    footer.element("p", text: Word.footerAbout.text(l))
                    footer.element("form", [("method", "post"), ("action", "/language")]) { f in
                        f.void("input", [("type", "hidden"), ("name", "back"), ("value", page.raw.method == "GET" ? page.raw.path : "/")])
                        f.element("label", [("for", "lang")], text: Word.language.text(l))
                        f.element("select", [("id", "lang"), ("name", "lang")]) { s in
                            s.element("option", [("value", "nl"), ("lang", "nl"), ("selected", l == .nl ? "" : nil)], text: "Nederlands")
                            s.element("option", [("value", "en"), ("lang", "en"), ("selected", l == .en ? "" : nil)], text: "English")
                        }
                        f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.choose.text(l))
                    }
                }
            }
        }
        return HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: h.bytes)
    }
}

/// A labelled input with its hint and its error, linked by `aria-describedby`.
func field(_ h: inout HTML, id: String, label: String, hint: String?, error: String?, attributes: [(StaticString, String?)]) {
    h.element("label", [("for", id)]) { lab in
        lab.text(label)
        if let hint { lab.element("span", [("class", "hint"), ("id", "\(id)-hint")], text: hint) }
    }
    if let error, !error.isEmpty { h.element("p", [("class", "error"), ("id", "\(id)-error")], text: error) }
    var described = [String]()
    if hint != nil { described.append("\(id)-hint") }
    if let error, !error.isEmpty { described.append("\(id)-error") }
    h.void("input", [("id", id)] + attributes + [("aria-describedby", described.isEmpty ? nil : described.joined(separator: " ")),
                                                  ("aria-invalid", error == nil ? nil : "true")])
}

/// The box at the top of a refused form: what is wrong, each linked to its field.
func errorSummary(_ h: inout HTML, _ l: Language, _ items: [(message: String, field: String)]) {
    h.element("div", [("class", "summary"), ("role", "alert"), ("aria-labelledby", "summary-title"), ("tabindex", "-1")]) { d in
        d.element("h2", [("id", "summary-title")], text: Word.errorSummary.text(l))
        d.element("ul") { ul in
            for item in items { ul.element("li") { $0.element("a", [("href", "#\(item.field)")], text: item.message) } }
        }
    }
}

/// Why a page was not drawn.
enum PageError: Error, Equatable {
    case notFound, signInNeeded, forbidden, formExpired, busy, storage
}

/// A form that writes: posted to `action` with the session's CSRF token and an idempotency key
/// made now, as every writing form carries; the browser's own checks are off (`novalidate`)
/// so the rules' sentences are the ones people see.
func writingForm(_ h: inout HTML, action: String, _ session: Session, _ content: (inout HTML) -> Void) {
    h.element("form", [("method", "post"), ("action", action), ("novalidate", "")]) { f in
        f.void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrf)])
        f.void("input", [("type", "hidden"), ("name", "key"), ("value", Web.newKey())])
        content(&f)
    }
}
