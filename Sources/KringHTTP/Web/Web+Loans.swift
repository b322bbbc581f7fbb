import Foundation
import KringCore
import KringStore

/// Goods lent and borrowed: the lender records a loan (what, to whom, the day it is due back,
/// optionally from one of their goods offers) and its return; both sides see it, with due and
/// overdue marked. The rules are the core's (`Decider.decideLoan`).
extension Web {
    /// Loans listed on the page: the newest, open ones first.
    static let loansShown = 200

    /// The member's loans: what they lent out and what they borrowed.
    func loansPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let me = session.login.member
        let now = api.clock()
        let (loans, names, today) = try api.read { r -> ([LoanRecord], [MemberID: String], Day) in
            let loans = try r.loans(member: me, limit: Web.loansShown)
            var names = [MemberID: String]()
            for id in Set(loans.flatMap { [$0.info.lender, $0.info.borrower] }) { names[id] = try r.member(id)?.state.info.name ?? id.handle }
            return (loans, names, try r.policy().day(now))
        }
        // Open loans first (soonest due first), then those returned, newest first.
        let ordered = loans.filter { $0.returned == nil }.sorted { $0.info.due < $1.info.due } + loans.filter { $0.returned != nil }
        return document(page, title: Word.loansTitle.text(l)) { h in
            h.element("p", text: Word.loansIntro.text(l))
            h.element("p") { $0.element("a", [("href", "/loans/new")], text: Word.newLoanTitle.text(l)) }
            for (title, mine) in [(Word.lentOut, true), (Word.borrowed, false)] {
                let rows = ordered.filter { ($0.info.lender == me) == mine }
                h.element("h2", text: title.text(l))
                guard !rows.isEmpty else { h.element("p", text: Word.noLoans.text(l)); continue }
                h.element("ul", [("class", "items")]) { ul in
                    for loan in rows {
                        let i = loan.info
                        ul.element("li") { li in
                            li.element("strong", text: i.what)
                            li.text(" — \(names[mine ? i.borrower : i.lender] ?? "")")
                            if let back = loan.returned {
                                li.text(", " + Word.returnedOn.text(l, l.day(back)))
                            } else {
                                li.text(", " + Word.dueOn.text(l, l.day(i.due)))
                                if loan.isOverdue(on: today) { li.text(" "); li.element("span", [("class", "error")], text: Word.overdue.text(l)) }
                                if mine {
                                    writingForm(&li, action: "/loans/\(i.id)/return", session) { f in
                                        f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.markReturned.text(l, i.what))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Record a loan: what, to whom (by name or id), due back, optionally from a goods offer.
    func newLoanPage(_ page: Request, values: [String: String], error formError: FormError?, status: Int) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let now = api.clock()
        let (offers, today) = try api.read { r -> ([ListingRow], Day) in
            let today = try r.policy().day(now)
            return (try r.listings(ListingFilter(side: .offer, kind: .goods, author: session.login.member), today: today, limit: 50), today)
        }
        let formError = formError.map { $0.field == "offer" && offers.isEmpty ? (message: $0.message, field: "what") : $0 }
        func error(_ name: String) -> String? { formError?.field == name ? formError?.message : nil }
        return document(page, title: Word.newLoanTitle.text(l), status: status) { h in
            if let formError { errorSummary(&h, l, [formError]) }
            writingForm(&h, action: "/loans/new", session) { f in
                field(&f, id: "what", label: Word.lendWhat.text(l), hint: nil, error: error("what"),
                      attributes: [("type", "text"), ("name", "what"), ("value", values["what"] ?? ""), ("maxlength", "500")])
                field(&f, id: "borrower", label: Word.lendTo.text(l), hint: Word.lendToHint.text(l), error: error("borrower"),
                      attributes: [("type", "text"), ("name", "borrower"), ("value", values["borrower"] ?? ""), ("autocapitalize", "none"), ("spellcheck", "false"), ("maxlength", "200")])
                field(&f, id: "due", label: Word.dueBack.text(l), hint: nil, error: error("due"),
                      attributes: [("type", "date"), ("name", "due"), ("value", values["due"] ?? (today + 14).description)])
                if !offers.isEmpty {
                    listingChoice(&f, "offer", label: Word.fromOffer.text(l), offers, chosen: values["offer"], error: error("offer"), l) { $0.title }
                }
                f.element("button", [("type", "submit")], text: Word.lendButton.text(l))
            }
        }
    }

    /// Records the loan through the core; a refusal keeps the input beside its field.
    func lend(_ page: inout Request) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let l = page.language
        let f = page.form
        let values = page.typed
        func refuse(_ e: FormError) throws -> HTTPResponse { try newLoanPage(page, values: values, error: e, status: 422) }
        let (found, problem) = try resolveMembers(f["borrower"] ?? "", me: session.login.member, l)
        if let problem { return try refuse((problem, "borrower")) }
        guard found.count == 1 else { return try refuse((Word.oneBorrower.text(l), "borrower")) }
        guard let due = Day(iso: f["due"] ?? "") else {
            return try refuse((Web.unreadableDate(f["due"] ?? "", .due, l), "due"))
        }
        let offer = f["offer"].flatMap { ListingID(canonical: $0) }
        let draft = LoanDraft(lender: session.login.member, borrower: found[0], what: f["what"] ?? "", offer: offer, due: due)
        switch try submit(page, .lend(draft), session: session) {
        case .success: return redirect("/loans")
        case .failure(let v):
            let field: String = switch v.field {
            case .borrower?: "borrower"
            case .due?: "due"
            case .offer?: "offer"
            default: "what"
            }
            return try refuse((v.sentence(in: l), field))
        }
    }

    /// The lender records that it came back.
    func returnLoan(_ page: inout Request, id: LoanID) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        switch try submit(page, .returnLoan(id), session: session) {
        case .success: return redirect("/loans")
        case .failure(let v):
            // Not theirs to return, or not a loan at all: not found, and nothing changed.
            if v.code == .loanNotFound || v.code == .ruleForbidden { throw PageError.notFound }
            let l = page.language
            return document(page, title: Word.loansTitle.text(l), status: 422) { h in
                errorSummary(&h, l, [(v.sentence(in: l), "back")])
                h.element("p") { $0.element("a", [("id", "back"), ("href", "/loans")], text: Word.loansTitle.text(l)) }
            }
        }
    }
}
