import Foundation
import KringCore

/// The projections compared with the replay at the end of `verify`: every column the journal
/// determines, each finding naming the row and the field.
extension Verifier {
    /// The fingerprint of what an exchange's row and parties hold besides its state, from the
    /// entry that proposed or recorded it, at `seq` (`compareProjections` computes it from the
    /// rows, as `Projector` writes them).
    static func fingerprint(_ x: ExchangeInfo, recorded: Bool, reason: String?, seq: Int64) -> Int {
        var f = Fingerprint()
        f.int(seq)
        f.text(x.proposer?.handle)
        f.text(x.kind.rawValue)
        f.text(x.domain)
        f.text(x.what)
        f.int(x.quantity)
        f.text(x.date.description)
        f.int(x.expiresAt)
        f.int(recorded ? 1 : 0)
        f.text(reason)
        f.text(x.links.map(\.description).joined(separator: ","))
        var parties = UnorderedFingerprint()
        for (list, role) in [(x.providers, PartyRole.provider), (x.receivers, .receiver)] {
            var roleText = role.rawValue
            roleText.withUTF8 { r in
                for (position, m) in list.enumerated() {
                    var handle = m.handle
                    handle.withUTF8 { parties.add(role: UnsafeRawBufferPointer(r), position: Int64(position), member: UnsafeRawBufferPointer($0)) }
                }
            }
        }
        for link in x.links {
            var target = link.description
            target.withUTF8 { parties.add(link: UnsafeRawBufferPointer($0)) }
        }
        parties.write(into: &f)
        return f.value
    }

    /// - Parameters:
    ///   - lastPostings: each member's last posting, read again because the postings' links or
    ///     the accounts' last postings are not each member's chain; nil when they are.
    ///   - accountsLastExchange: the accounts' last exchanges, as their part of the parties'
    ///     chain prints.
    static func compareProjections(_ db: Connection, state: LedgerState, lastSeq: (MemberID) throws(StoreError) -> Int64,
                                   lastPostings: LastLinks?, accountsLastExchange: ChainPrint, exchangeSeq: ExchangeSeqs,
                                           exchangeFingerprints: ColumnArray<Int>, consents: ConsentTracker, pledges: [(seq: Int64, print: Int)],
                                           memberSeqs: [MemberID: MemberSeqs], lastChanges: LastChanges, words: ReplayWords,
                                           reasons: ExchangeReasons, rowPrints: ExchangeRowPrints?,
                                           diverge: (Int64, String) -> Void) throws(StoreError) {
        // Accounts and members.
        var seen = Set<MemberID>()
        // Each balance equals the sum of its postings without summing them again: every posting
        // row was matched, in order, to the postings its journal entry implies, and none was
        // left over, so the rows sum per member to what the replay gives.
        let s = try db.prepare("""
            SELECT m.id, m.status, m.kind, m.floor_override, m.ceiling_override, a.balance, a.given,
                   m.name, m.neighbourhood, m.domains, m.joined, m.added_seq, a.last_seq, a.last_posting, lp.seq
            FROM members m LEFT JOIN accounts a ON a.member = m.id LEFT JOIN postings lp ON lp.id = a.last_posting
            """)
        while try s.step() {
            guard let id = MemberID(canonical: s.text(0)) else { diverge(1, "the projection holds a member \"\(s.text(0).prefix(60))\" whose id is not canonical"); continue }
            seen.insert(id)
            guard let m = state.member(id) else { diverge(try lastSeq(id), "member \(id) is in the projection but not in the journal"); continue }
            if let field = firstDifference([
                ("status", s.text(1) == m.status.rawValue), ("kind", s.text(2) == m.info.kind.rawValue),
                ("floor", s.optionalInt(3) == m.floorOverride?.value), ("ceiling", s.optionalInt(4) == m.ceilingOverride?.value),
                ("name", s.textEquals(7, m.info.name)), ("neighbourhood", s.optionalText(8) == m.info.neighbourhood),
                ("domains", s.textEquals(9, m.info.domains.joined(separator: ","))), ("joined", s.textEquals(10, m.info.joined.description)),
                ("entry", s.int(11) == memberSeqs[id]?.added),
            ]) {
                diverge(try lastSeq(id), "member \(id) differs from the journal in its \(field)")
            }
            if s.isNull(5) || s.int(5) != m.balance.value {
                diverge(try lastSeq(id), "balance of \(id) is \(s.optionalInt(5).map { String($0) } ?? "missing") minutes; the journal gives \(m.balance.value)")
            }
            if s.int(6) != m.given.value { diverge(try lastSeq(id), "given credits of \(id) differ from the journal") }
            // An account's last entry is the last that posted to it (the postings matched the
            // journal row by row), or the one that opened it.
            // The account's last posting: as it names it when the chains hold, else as read again.
            let last = lastPostings.map { $0.last(of: id) } ?? (s.isNull(13) ? nil : (s.int(13), s.optionalInt(14)))
            if !s.isNull(5), let added = memberSeqs[id]?.added, s.int(12) != max(added, last?.seq ?? 0) {
                diverge(try lastSeq(id), "the account of \(id) differs from the journal in its last entry (\(s.int(12)))")
            }
            // The chain of its postings starts at its last.
            if !s.isNull(5), lastPostings != nil, s.optionalInt(13) != last?.key {
                diverge(try lastSeq(id), "the account of \(id) names \(s.optionalInt(13).map { "posting \($0)" } ?? "no posting") as its last; "
                        + "the journal gives \(last.map { "posting \($0.key)" } ?? "none")")
            }
        }
        for id in state.memberOrder where !seen.contains(id) { diverge(try lastSeq(id), "member \(id) is missing from the projection") }

        // Exchanges: by the prints read beside the replay when they all match, else row by row.
        let (exSeen, partyPrint) = try compareExchanges(db, state: state, exchangeSeq: exchangeSeq, exchangeFingerprints: exchangeFingerprints,
                                                        consents: consents, reasons: reasons, rowPrints: rowPrints, diverge: diverge)
        // Each party names the member's previous exchange, and each account their last, where
        // the chain of their parties starts; read again to name what is wrong when the prints
        // do not cancel.
        var chains = partyPrint
        chains.add(accountsLastExchange)
        if !chains.holds {
            let found = try rereadChains(db, "SELECT exchange, member, prev, NULL FROM exchange_parties ORDER BY exchange")
            if let u = found.broken {
                let id = ExchangeID(uncheckedNumber: u.key)
                diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s party \(u.member.prefix(60)) names \(u.names.map { "exchange \(ExchangeID(uncheckedNumber: $0))" } ?? "no exchange") "
                        + "as their previous; the parties give \(u.previous.map { "exchange \(ExchangeID(uncheckedNumber: $0))" } ?? "none")")
            } else {
                let accounts = try db.prepare("SELECT member, last_exchange FROM accounts")
                while try accounts.step() {
                    guard let id = MemberID(canonical: accounts.text(0)), state.member(id) != nil else { continue }  // compared with the members above
                    let last = found.last.last(of: id)?.key
                    if accounts.optionalInt(1) != last {
                        diverge(try lastSeq(id), "the account of \(id) names \(accounts.optionalInt(1).map { "exchange \(ExchangeID(uncheckedNumber: $0))" } ?? "no exchange") "
                                + "as its last; the parties give \(last.map { "exchange \(ExchangeID(uncheckedNumber: $0))" } ?? "none")")
                    }
                }
            }
        }
        // Listings: latest version, expiry and state.
        var listingsSeen = 0
        let ls = try db.prepare("""
            SELECT num, version, expires, state, updated_seq, fulfilled_by, side, author, kind, domain, title, text, place, availability, challenge,
                   created_seq
            FROM listings
            """)
        while try ls.step() {
            listingsSeen += 1
            if listingsSeen % 65_536 == 0 {
                state.releaseResident()
                words.listings.releaseResident()
                lastChanges.releaseResident()
            }
            // A finding names the earlier of the row's last entry and the journal's.
            let at = min(ls.int(4), lastChanges.listings[ls.int(0)] ?? ls.int(4))
            guard let l = state.listing(number: ls.int(0)) else { diverge(at, "listing \(ls.int(0)) is not in the journal"); continue }
            let info = l.info
            let prints = words.listings[ls.int(0)]
            if let field = firstDifference([
                ("version", ls.int(1) == info.version), ("expiry", ls.int(2) == info.expires.number), ("state", (ls.text(3) == "withdrawn") == l.withdrawn),
                ("fulfilment", ls.optionalInt(5) == l.fulfilledBy?.number), ("side", ls.textEquals(6, info.id.side.rawValue)),
                ("author", ls.textEquals(7, info.author.handle)), ("kind", ls.textEquals(8, info.kind.rawValue)), ("domain", ls.textEquals(9, info.domain)),
                ("title", Fingerprint.of(ls, 10) == prints?.title), ("text", Fingerprint.of(ls, 11) == prints?.text),
                ("place", Fingerprint.of(ls, 12) == prints?.place), ("availability", Fingerprint.of(ls, 13) == prints?.availability),
                ("challenge", ls.optionalText(14) == info.challenge?.description),
                ("entry", ls.int(15) == lastChanges.listingPosted[ls.int(0)]),
                ("last entry", ls.int(4) == lastChanges.listings[ls.int(0)]),
            ]) {
                diverge(at, "listing \(info.id) differs from the journal in its \(field)")
            }
        }
        var loansSeen = 0
        let lo = try db.prepare("SELECT num, due, returned, updated_seq, lender, borrower, what, offer, lent FROM loans")
        while try lo.step() {
            loansSeen += 1
            if loansSeen % 65_536 == 0 {
                state.releaseResident()
                words.releaseResident()
                lastChanges.releaseResident()
            }
            let at = min(lo.int(3), lastChanges.loans[lo.int(0)] ?? lo.int(3))
            guard lo.int(0) >= 1, let l = state.loan(LoanID(uncheckedNumber: lo.int(0))) else { diverge(at, "loan \(lo.int(0)) is not in the journal"); continue }
            if let field = firstDifference([
                ("due day", lo.int(1) == l.info.due.number), ("return", lo.optionalInt(2) == l.returned?.number),
                ("lender", lo.textEquals(4, l.info.lender.handle)), ("borrower", lo.textEquals(5, l.info.borrower.handle)),
                ("description", Fingerprint.of(lo, 6) == words.loans[lo.int(0)]), ("offer", lo.optionalText(7) == l.info.offer?.description), ("day lent", lo.int(8) == l.info.lent.number),
                ("last entry", lo.int(3) == lastChanges.loans[lo.int(0)]),
            ]) {
                diverge(at, "loan \(l.info.id) differs from the journal in its \(field)")
            }
        }
        var bookingsSeen = 0
        let bk = try db.prepare("SELECT num, people, state, updated_seq, settled_by, end_reason, question, offer, member, day, start, end FROM bookings")
        while try bk.step() {
            bookingsSeen += 1
            if bookingsSeen % 65_536 == 0 {
                state.releaseResident()
                words.releaseResident()
                lastChanges.releaseResident()
            }
            let at = min(bk.int(3), lastChanges.bookings[bk.int(0)] ?? bk.int(3))
            guard bk.int(0) >= 1, let b = state.booking(BookingID(uncheckedNumber: bk.int(0))) else { diverge(at, "booking \(bk.int(0)) is not in the journal"); continue }
            let info = b.info, prints = words.bookings[bk.int(0)]
            if let field = firstDifference([
                ("number of people", bk.int(1) == info.people), ("state", (bk.text(2) == "cancelled") == b.cancelled),
                ("settlement", bk.optionalInt(4) == b.settledBy?.number), ("reason", Fingerprint.of(bk, 5) == prints?.reason),
                ("question", Fingerprint.of(bk, 6) == prints?.question), ("space", bk.int(7) == info.offer.number), ("member", bk.textEquals(8, info.member.handle)),
                ("day", bk.int(9) == info.date.number), ("start", bk.int(10) == info.start), ("end", bk.int(11) == info.end),
                ("last entry", bk.int(3) == lastChanges.bookings[bk.int(0)]),
            ]) {
                diverge(at, "booking \(info.id) differs from the journal in its \(field)")
            }
        }
        var challengesSeen = 0
        let ch = try db.prepare("""
            SELECT num, state, updated_seq, (SELECT COUNT(*) FROM challenge_members m WHERE m.challenge = c.num), author, title, text, domains, ends
            FROM challenges c
            """)
        while try ch.step() {
            challengesSeen += 1
            let at = min(ch.int(2), lastChanges.challenges[ch.int(0)] ?? ch.int(2))
            guard let c = state.challenges[ch.int(0)] else { diverge(at, "challenge \(ch.int(0)) is not in the journal"); continue }
            if let field = firstDifference([
                ("state", (ch.text(1) == "closed") == c.closed), ("members", ch.int(3) == Int64(c.members.count)),
                ("author", ch.textEquals(4, c.info.author.handle)), ("title", ch.textEquals(5, c.info.title)), ("text", ch.textEquals(6, c.info.text)),
                ("domains", ch.textEquals(7, c.info.domains.joined(separator: ","))), ("end", ch.int(8) == c.info.ends.number),
                ("last entry", ch.int(2) == lastChanges.challenges[ch.int(0)]),
            ]) {
                diverge(at, "challenge \(c.info.id) differs from the journal in its \(field)")
            }
        }
        if challengesSeen != state.challenges.count { diverge(1, "the projection holds \(challengesSeen) challenges; the journal \(state.challenges.count)") }
        // Pledges, row by row in journal order: the first that differs names its entry.
        let pl = try db.prepare("SELECT challenge, member, kind, what, seq FROM pledges ORDER BY seq, id")
        var pledgesSeen = 0, pledgeFinding = false
        while try pl.step() {
            let at = pl.int(4)
            guard pledgesSeen < pledges.count else {
                diverge(at, "the pledge at entry \(at) is not in the journal")
                pledgeFinding = true
                break
            }
            guard pledges[pledgesSeen].print == pledgePrint(pl.int(0), pl.text(1), pl.text(2), pl.text(3), at) else {
                let want = pledges[pledgesSeen].seq
                diverge(min(at, want), "the pledge of entry \(want) differs from the journal")
                pledgeFinding = true
                break
            }
            pledgesSeen += 1
        }
        if !pledgeFinding, pledgesSeen < pledges.count {
            diverge(pledges[pledgesSeen].seq, "the pledge of entry \(pledges[pledgesSeen].seq) is missing from the projection")
        }
        // Who joined each challenge, and each space's capacity and hours.
        // (Each with the entry that joined them.)
        let cm = try db.prepare("SELECT challenge, member, seq FROM challenge_members")
        var joined = [Int64: [String: Int64]]()
        while try cm.step() { joined[cm.int(0), default: [:]][cm.text(1)] = cm.int(2) }
        for n in Set(lastChanges.joins.keys).union(joined.keys).sorted() {
            let want = lastChanges.joins[n] ?? [:], found = joined[n] ?? [:]
            if want != found {
                let differing = Set(want.keys).union(found.keys).filter { want[$0] != found[$0] }.compactMap { want[$0] ?? found[$0] }
                diverge(differing.min() ?? 1, "the members of challenge ch-\(n) differ from the journal")
            }
        }
        var spacesSeen = 0
        let sp = try db.prepare("SELECT offer, capacity, hours, updated_seq FROM spaces")
        while try sp.step() {
            spacesSeen += 1
            guard sp.int(0) >= 1, let h = state.spaceHours(ListingID(side: .offer, uncheckedNumber: sp.int(0))) else {
                diverge(sp.int(3), "the hours of of-\(sp.int(0)) are not in the journal")
                continue
            }
            if sp.int(1) != h.capacity || Fingerprint.of(sp, 2) != words.hours[sp.int(0)] || sp.int(3) != lastChanges.space(sp.int(0)) {
                diverge(min(sp.int(3), lastChanges.space(sp.int(0)) ?? 1), "the hours of of-\(sp.int(0)) differ from the journal")
            }
        }
        if spacesSeen != state.spaceCount { diverge(1, "the projection holds hours of \(spacesSeen) spaces; the journal \(state.spaceCount)") }
        var introductionsSeen = 0
        let intro = try db.prepare("SELECT request, offer, seq, by FROM introductions")
        while try intro.step() {
            introductionsSeen += 1
            let key = IntroductionKey(ListingID(side: .request, uncheckedNumber: intro.int(0)), ListingID(side: .offer, uncheckedNumber: intro.int(1)))
            guard let made = lastChanges.introductions[key] else {
                diverge(intro.int(2), "introduction of rq-\(intro.int(0)) to of-\(intro.int(1)) is not in the journal")
                continue
            }
            if made.seq != intro.int(2) || !intro.textEquals(3, made.by) {
                diverge(min(made.seq, intro.int(2)), "introduction of rq-\(intro.int(0)) to of-\(intro.int(1)) differs from the journal in who made it or its entry")
            }
        }
        if introductionsSeen != state.introductions.count { diverge(1, "the projection holds \(introductionsSeen) introductions; the journal \(state.introductions.count)") }
        if bookingsSeen != state.bookingCount { diverge(1, "the projection holds \(bookingsSeen) bookings; the journal \(state.bookingCount)") }
        if loansSeen != state.loanCount { diverge(1, "the projection holds \(loansSeen) loans; the journal \(state.loanCount)") }
        if listingsSeen != state.listingCount { diverge(1, "the projection holds \(listingsSeen) listings; the journal \(state.listingCount)") }
        if exSeen != state.exchangeCount {
            diverge(exchangeSeq.earliest ?? 1, "the projection holds \(exSeen) exchanges; the journal \(state.exchangeCount)")
        }
    }

    /// The policies table against the policies the entries set, in order.
    static func comparePolicies(_ db: Connection, _ policies: [(seq: Int64, payload: String)], diverge: (Int64, String) -> Void) throws(StoreError) {
        let p = try db.prepare("SELECT seq, payload FROM policies ORDER BY seq")
        var seenPolicies = [(seq: Int64, payload: String)]()
        while try p.step() { seenPolicies.append((p.int(0), p.text(1))) }
        // The first policy that differs, or the first one only one side has.
        let first = (0..<max(policies.count, seenPolicies.count)).first { i in
            i >= policies.count || i >= seenPolicies.count || policies[i] != seenPolicies[i]
        }
        if let i = first {
            let at = i < policies.count ? policies[i].seq : seenPolicies[i].seq
            diverge(at, "the policy set at entry \(at) differs from the projection's")
        }
    }
}

/// The texts a compact replay does not keep, by fingerprint (`Fingerprint.of`, keyed per
/// process), as the journal last gave them: each listing's title, text, place and availability,
/// each loan's description, each booking's question and reason, and each space's hours as the
/// projection writes them. The rows are held to them field by field. Each is a column by
/// number (the hours by their offer's), spilled to a temporary file like the replay's own.
struct ReplayWords {
    private(set) var listings = ColumnByNumber<ListingWords>(memory: SpillFile())
    private(set) var loans = ColumnByNumber<Int>(memory: SpillFile())
    private(set) var bookings = ColumnByNumber<BookingWords>(memory: SpillFile())
    /// By offer number; 0 where an offer has no hours (a fingerprint of 0 is as likely as any
    /// other, and the replay says which offers have hours).
    private(set) var hours = ColumnByNumber<Int>(memory: SpillFile())

    /// Records the prints `entry` took of `event`'s texts.
    mutating func record(_ event: Event, _ entry: CheckedEntry) {
        switch event {
        case .listingPosted(let e): if let w = entry.listingWords { listings[e.listing.id.number] = w }
        case .listingEdited(let e): if let w = entry.listingWords { listings[e.listing.id.number] = w }
        case .goodsLent(let e): if let p = entry.textPrint { loans[e.loan.id.number] = p }
        case .spaceBooked(let e):
            if let p = entry.textPrint { bookings[e.booking.id.number] = BookingWords(question: p, reason: Fingerprint.noText) }
        case .spaceCancelled(let e): if let p = entry.textPrint { bookings[e.id.number]?.reason = p }
        case .spaceHoursSet(let e):
            guard let p = entry.textPrint, e.offer.number >= 1 else { return }
            hours.set(e.offer.number, p, padding: 0)
        default: break
        }
    }

    /// The print of the one text a loan, booking, cancellation, setting of hours, or an
    /// exchange's rejection, cancellation or reversal carries (nil for other events); taken
    /// where the entry is checked, off the replaying thread.
    static func textPrint(_ event: Event) -> Int? {
        switch event {
        case .goodsLent(let e): Fingerprint.of(e.loan.what)
        case .spaceBooked(let e): Fingerprint.of(e.booking.question)
        case .spaceCancelled(let e): Fingerprint.of(e.reason)
        case .spaceHoursSet(let e): Fingerprint.of(e.hours.json.canonicalString)
        case .exchangeRejected(let e): Fingerprint.of(e.reason)
        case .exchangeCancelled(let e): Fingerprint.of(e.reason)
        case .exchangeReversed(let e): Fingerprint.of(e.reason)
        default: nil
        }
    }

    /// Gives back the pages its columns mapped by being read (`ColumnArray.releaseResident`).
    func releaseResident() {
        listings.releaseResident()
        loans.releaseResident()
        bookings.releaseResident()
        hours.releaseResident()
    }
}

/// A listing's title, text, place and availability by fingerprint, as its last posting or edit
/// gave them.
struct ListingWords: Sendable, BitwiseCopyable {
    let title: Int, text: Int, place: Int, availability: Int

    init(_ l: ListingInfo) {
        (title, text, place, availability) = (Fingerprint.of(l.title), Fingerprint.of(l.text), Fingerprint.of(l.place), Fingerprint.of(l.availability))
    }
}

/// A booking's question and the reason it was cancelled, by fingerprint (the print of no text
/// where it has none).
struct BookingWords: Sendable, BitwiseCopyable {
    var question: Int, reason: Int
}

/// The entry that added a member, and the last one about it that posts nothing (added, limits,
/// status); the last posting's entry comes from the postings once they are known to match.
struct MemberSeqs {
    let added: Int64
    var last: Int64
}

/// The name of the first field that differs (`fields` pairs a name with whether the projection
/// holds what the journal gives), or nil.
private func firstDifference(_ fields: [(name: String, same: Bool)]) -> String? {
    fields.first { !$0.same }?.name
}

/// A fingerprint of projected values: Swift's hasher, keyed afresh in every process, so a row
/// cannot be forged to match one; each text is prefixed with its length, and a missing value
/// differs from every text.
struct Fingerprint {
    private var hasher = Hasher()

    mutating func text(_ bytes: UnsafeRawBufferPointer?) {
        guard let bytes else { return hasher.combine(-1) }
        hasher.combine(bytes.count)
        hasher.combine(bytes: bytes)
    }

    mutating func text(_ s: String?) {
        guard var s else { return hasher.combine(-1) }
        s.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    /// The fingerprint of no text (a NULL column, an absent reason), taken once per process.
    static let noText = Fingerprint.of(nil as String?)

    /// The fingerprint of one text (nil is no text).
    static func of(_ s: String?) -> Int {
        var f = Fingerprint()
        f.text(s)
        return f.value
    }

    /// The fingerprint of the text in `col` of the row (NULL as no text), as `of` gives it.
    static func of(_ row: Statement, _ col: Int32) -> Int {
        var f = Fingerprint()
        f.text(row.isNull(col) ? nil : row.columnBytes(col, text: true))
        return f.value
    }

    mutating func int(_ n: Int64?) {
        hasher.combine(n != nil)
        hasher.combine(n ?? 0)
    }

    var value: Int { hasher.finalize() }
}

/// Whether each member's rows of a table form their chain (`MemberChain`: each row names the
/// member's previous row as `prev`, their first none, and the account names their last),
/// checked in one pass with no lookup per row: each row adds the print of (member, its key) and
/// takes away the print of (member, its link), each account takes away (member, its last), and
/// every link must be below its row's key.
///
/// That suffices. Take one member's rows, keyed k₁ < … < kₙ (keys are unique). The sums cancel
/// exactly when the links and the account's last are, as a multiset, the keys themselves, so
/// `kₙ` is named once; not by a row's link, which is below its row's key and so below `kₙ`: by
/// the account. The other links then name k₁ … kₙ₋₁ once each, and the only row whose link may
/// name kₙ₋₁ is kₙ's; and so on down, so each row names the one before it and k₁'s names none.
/// A member without rows must have an account naming none. The prints are keyed (`Fingerprint`),
/// so a tampered link cannot be chosen to cancel; where they do not cancel, the table is read
/// again row by row to name the first link that is wrong.
struct ChainPrint: Sendable {
    private var sum = 0
    /// The first row whose link is not below its own key.
    private(set) var backwards: Int64?

    /// A row of `member`'s, keyed `key`, naming `link` as the member's previous.
    mutating func row(_ member: UnsafeRawBufferPointer, key: Int64, link: Int64?) {
        var f = Fingerprint()
        f.text(member)
        if let link {
            var g = f
            g.int(link)
            sum &-= g.value
            if link >= key, backwards == nil { backwards = key }
        }
        f.int(key)
        sum &+= f.value
    }

    /// An account of `member`'s, naming `link` as their last row.
    mutating func last(_ member: UnsafeRawBufferPointer, link: Int64?) {
        guard let link else { return }
        var f = Fingerprint()
        f.text(member)
        f.int(link)
        sum &-= f.value
    }

    /// Adds another part's prints (the accounts', read apart from the rows).
    mutating func add(_ other: ChainPrint) {
        sum &+= other.sum
        backwards = [backwards, other.backwards].compactMap { $0 }.min()
    }

    /// Whether every link is the member's previous row and every account names their last.
    var holds: Bool { sum == 0 && backwards == nil }
}

/// Rows of one exchange (its parties, its links) as a fingerprint that does not depend on the
/// order they are read in: each row's own fingerprint, summed, and how many.
struct UnorderedFingerprint {
    private var sum = 0, count = 0

    mutating func add(role: UnsafeRawBufferPointer, position: Int64, member: UnsafeRawBufferPointer) {
        var f = Fingerprint()
        f.text(role)
        f.int(position)
        f.text(member)
        sum &+= f.value
        count += 1
    }

    /// A link row: its target, apart from every party (no role, no position).
    mutating func add(link target: UnsafeRawBufferPointer) {
        add(role: UnsafeRawBufferPointer(start: nil, count: 0), position: -1, member: target)
    }

    func write(into f: inout Fingerprint) {
        f.int(Int64(count))
        f.int(Int64(sum))
    }

}

/// Who consented to each exchange, as the projector marks its parties (`consented = 1`): the
/// proposer when it proposes, each member who consents or confirms, every party of a recorded
/// exchange. Kept as a sum of the members' keyed fingerprints, a word an exchange.
struct ConsentTracker {
    private var sums = ColumnArray<Int>(memory: SpillFile())

    mutating func apply(_ event: Event) {
        switch event {
        case .exchangeProposed(let e):
            let x = e.exchange
            start(x.id)
            if let p = x.proposer, x.parties.contains(p) { add(p, to: x.id) }
        case .exchangeRecorded(let e):
            start(e.exchange.id)
            for m in e.exchange.parties { add(m, to: e.exchange.id) }
        case .exchangeConsented(let e):
            add(e.member, to: e.id)
        case .exchangeConfirmed(let e):
            if let m = e.by.member { add(m, to: e.id) }
        default: break
        }
    }

    private mutating func start(_ id: ExchangeID) {
        if id.number == Int64(sums.count) + 1 { sums.append(0) }
    }

    private mutating func add(_ member: MemberID, to id: ExchangeID) {
        guard id.number >= 1, id.number <= Int64(sums.count) else { return }
        var handle = member.handle
        sums[Int(id.number - 1)] &+= handle.withUTF8 { ConsentTracker.print(UnsafeRawBufferPointer($0)) }
    }

    /// The sum the exchange's consenting parties' rows must give.
    func sum(of id: ExchangeID) -> Int? { id.number >= 1 && id.number <= Int64(sums.count) ? sums[Int(id.number - 1)] : nil }

    func releaseResident() { sums.releaseResident() }

    /// One consenting member's share of the sum.
    static func print(_ member: UnsafeRawBufferPointer) -> Int {
        var f = Fingerprint()
        f.text(member)
        return f.value
    }
}

/// The fingerprint of one pledge's row: its challenge, member, kind, words and entry.
func pledgePrint(_ challenge: Int64, _ member: String, _ kind: String, _ what: String, _ seq: Int64) -> Int {
    var f = Fingerprint()
    f.int(challenge)
    f.text(member)
    f.text(kind)
    f.text(what)
    f.int(seq)
    return f.value
}
