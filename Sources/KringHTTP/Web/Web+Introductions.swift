import Foundation
import KringCore
import KringStore

/// Connecting people: the coordinator's matching page (the open requests with the offers that
/// fit them, in their domain and across, and why) with "introduce", and the introductions on
/// the members' overviews, from which either member proposes an exchange linked to both
/// listings. An introduction moves nothing and asks no consent (`Decider.decideIntroduction`).
extension Web {
    /// Requests the matching page shows (those with a suggestion, newest first).
    static let matchesShown = 50
    /// Introductions the overview shows.
    static let introductionsShown = 10

    func matchesPage(_ page: Request, refusal: RuleViolation? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try requireCoordinatorSession(page)
        let now = api.clock()
        let (matches, introduced, names, counts) = try api.read { r -> ([RequestMatches], [ListingID: Set<ListingID>], [MemberID: String], (made: Int64, became: Int64)) in
            let today = try r.policy().day(now)
            let matches = Array(try r.matches(today: today).filter { !$0.suggestions.isEmpty }.prefix(Web.matchesShown))
            var introduced = [ListingID: Set<ListingID>](), names = [MemberID: String]()
            for m in matches {
                introduced[m.request.info.id] = try r.introducedOffers(for: m.request.info.id)
                for a in [m.request.info.author] + m.suggestions.map(\.offer.info.author) where names[a] == nil {
                    names[a] = try r.member(a)?.state.info.name ?? a.handle
                }
            }
            return (matches, introduced, names, try r.introductionCounts())
        }
        return document(page, title: Word.matchesTitle.text(l), status: status) { h in
            if let refusal { errorSummary(&h, l, [(refusal.sentence(in: l), "matches")]) }
            h.element("p", text: Word.matchesIntro.text(l))
            h.element("p", text: Word.introductionCounts.text(l, String(counts.made), String(counts.became)))
            h.element("div", [("id", "matches")]) { d in
                guard !matches.isEmpty else { d.element("p", text: Word.noMatches.text(l)); return }
                for m in matches {
                    let r = m.request.info
                    d.element("section", [("id", r.id.description), ("aria-labelledby", "\(r.id)-title")]) { s in
                        s.element("h2", [("id", "\(r.id)-title")]) { $0.element("a", [("href", "/listings/\(r.id)")], text: r.title) }
                        s.element("p", text: [names[r.author] ?? r.author.handle, r.domain, m.request.place].compactMap { $0 }.joined(separator: ", "))
                        s.element("ul", [("class", "items")]) { ul in
                            for sug in m.suggestions {
                                let o = sug.offer.info
                                ul.element("li") { li in
                                    li.element("a", [("href", "/listings/\(o.id)")], text: o.title)
                                    li.text(" — " + (names[o.author] ?? o.author.handle))
                                    li.element("p", [("class", "effect")], text: reasons(sug.reasons, l))
                                    if introduced[r.id]?.contains(o.id) == true {
                                        li.element("p", text: Word.introducedAlready.text(l))
                                    } else {
                                        writingForm(&li, action: "/desk/introduce", session) { f in
                                            f.void("input", [("type", "hidden"), ("name", "request"), ("value", r.id.description)])
                                            f.void("input", [("type", "hidden"), ("name", "offer"), ("value", o.id.description)])
                                            f.element("button", [("type", "submit"), ("class", "secondary")],
                                                      text: Word.introduceButton.text(l, names[r.author] ?? "", names[o.author] ?? ""))
                                        }
                                    }
                                }
                            }
                        }
                        s.element("p") { $0.element("a", [("href", "/experts?" + Web.queryString(["domain": r.domain]))], text: Word.expertsInDomain.text(l, r.domain)) }
                    }
                }
            }
        }
    }

    /// Why an offer fits a request, in the page's language.
    func reasons(_ r: MatchReasons, _ l: Language) -> String {
        var parts = [r.domain == r.requestDomain ? Word.reasonSameDomain.text(l, r.domain) : Word.reasonAcross.text(l, r.domain, r.requestDomain)]
        if let k = r.sameKind { parts.append(Word.reasonSameKind.text(l, k.word.text(l))) }
        if !r.sharedWords.isEmpty { parts.append(Word.reasonWords.text(l, r.sharedWords.joined(separator: ", "))) }
        if let p = r.samePlace { parts.append(Word.reasonPlace.text(l, p)) }
        if !r.sharedAvailability.isEmpty { parts.append(Word.reasonWhen.text(l, r.sharedAvailability.joined(separator: ", "))) }
        return parts.joined(separator: "; ")
    }

    /// Makes the introduction through the core; back to the request on the page.
    func introduce(_ page: inout Request) throws -> HTTPResponse {
        let session = try requireCoordinatorSession(page)
        try page.checkSessionForm()
        guard let request = page.form["request"].flatMap(ListingID.init(canonical:)), let offer = page.form["offer"].flatMap(ListingID.init(canonical:)) else {
            throw PageError.notFound
        }
        switch try submit(page, .introduce(request: request, offer: offer), session: session) {
        case .success: return redirect("/desk/matches#\(request)")
        case .failure(let v): return try matchesPage(page, refusal: v, status: 422)
        }
    }

    /// The member's introductions on their overview: who, for which of their listings, the
    /// other's public entry, and "propose an exchange" linked to both listings.
    func introductionsSection(_ h: inout HTML, _ l: Language, me: MemberID, _ rows: [(IntroductionRow, request: ListingInfo, offer: ListingInfo, other: String)]) {
        guard !rows.isEmpty else { return }
        h.element("h2", text: Word.introductionsTitle.text(l))
        h.element("ul", [("class", "items")]) { ul in
            for (row, request, offer, other) in rows {
                let asker = request.author == me
                let (mine, theirs) = asker ? (request, offer) : (offer, request)
                ul.element("li") { li in
                    li.text((asker ? Word.introducedToOffer : Word.introducedToRequest).text(l, other, mine.title, theirs.title) + " ")
                    li.element("a", [("href", "/members/\(theirs.author)")], text: Word.theirEntry.text(l, other))
                    if let x = row.exchange {
                        li.text(" — ")
                        li.element("a", [("href", "/exchanges/\(x)")], text: Word.becameExchange.text(l, x.description))
                    } else {
                        li.element("p") {
                            $0.element("a", [("href", "/exchanges/new?" + Web.queryString(["listing": theirs.id.description, "own": mine.id.description]))],
                                       text: Word.proposeFromIntroduction.text(l, other))
                        }
                    }
                }
            }
        }
    }
}
