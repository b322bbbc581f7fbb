import Foundation
import KringCore

/// What `verify` found: how far it got and, if anything is wrong, the first divergence by
/// sequence number.
public struct VerifyReport: Sendable {
    public let entries: Int64
    public let head: LedgerHead?
    /// The lowest sequence number at which the journal or a projection diverges, and how.
    public let divergence: (seq: Int64, reason: String)?
    /// Entries written before typed identities that hold an id in a form no longer accepted
    /// (`ex-012`): read by canonicalising it, and listed here by sequence number.
    public let legacyIDs: [Int64]

    public var ok: Bool { divergence == nil }

    /// Most sequence numbers of legacy entries a report lists (it counts them all).
    public static let maxLegacyListed = 1_000

    public var json: JSON {
        .object([
            "ok": .bool(ok), "entries": .int(entries), "ledger_head": head?.json ?? .null,
            "divergence": divergence.map { .object(["seq": .int($0.seq), "reason": .string($0.reason)]) } ?? .null,
            "legacy_ids": .object(["entries": .int(Int64(legacyIDs.count)), "seqs": .array(legacyIDs.prefix(VerifyReport.maxLegacyListed).map(JSON.int))]),
        ])
    }
}

/// Replays the journal from the genesis hash, recomputes every projection and balance, checks
/// the chain, the sequence, the canonical encoding, the postings and the zero sum, and reports
/// the first divergence.
public enum Verifier {
    /// Verifies the ledger at `path` (opened read-only, beside any writer). `parallel` hashes
    /// and decodes on other threads as well (every core: the CLI); without it everything runs
    /// on the calling thread, so a server verifying on request keeps its other cores for the
    /// requests it serves.
    public static func verify(path: String, parallel: Bool = true) throws(StoreError) -> VerifyReport {
        let reader = try Reader(path: path)
        return try verify(reader.db, parallel: parallel)
    }

    /// Entries hashed and decoded per hand-over to the second thread.
    static let chunkSize = 4_096
    /// Chunks being checked ahead of the one being applied.
    static let chunksInFlight = 3

    static func verify(_ db: Connection, parallel: Bool = true) throws(StoreError) -> VerifyReport {
        // One read transaction: every query below sees the same snapshot, even while a writer
        // appends.
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        return try verifySnapshot(db, parallel: parallel)
    }

    private static func verifySnapshot(_ db: Connection, parallel: Bool) throws(StoreError) -> VerifyReport {
        var divergences = [(seq: Int64, reason: String)]()
        func diverge(_ seq: Int64, _ reason: String) { divergences.append((seq, reason)) }

        var state = LedgerState.compactReplay()
        // The entry that added each member, and the last about it that posts nothing.
        var memberSeqs = [MemberID: MemberSeqs]()
        // The entry that posted each listing, by number. The projections keep both (`added_seq`,
        // `created_seq`): the statistics order and date by them.
        var listingPostedSeq = [Int64]()
        var exchangeSeq = ExchangeSeqs()
        // What each exchange's row and parties must hold besides their state, by number.
        var exchangeFingerprints = [Int]()
        // Who consented to each exchange, as its parties' rows must say.
        var consents = ConsentTracker()
        // Every pledge, in journal order: its entry and the fingerprint of its row.
        var pledges = [(seq: Int64, print: Int)]()
        // The policy each entry set, as the policies table holds it.
        var policies = [(seq: Int64, payload: String)]()
        var legacy = [Int64]()
        var prev = SHA256.Digest(Chain.genesis)!
        var expected: Int64 = 1
        var lastTs: Int64 = .min
        var headSeen: (seq: Int64, ts: Int64)?

        // Postings and transfers are compared entry by entry, streaming beside the journal.
        let postings = try RowStream(db, "SELECT seq, member, minutes, day, transfer FROM postings ORDER BY id")
        let transfers = try RowStream(db, "SELECT seq, payer, payee, minutes, day, kind, exchange, id FROM transfers ORDER BY id")
        var days = DayCache()

        // Other threads hash and decode chunks of entries while this one reads ahead and
        // applies the checked chunks, in order.
        let rows = try db.prepare("SELECT seq, ts, type, payload, prev_hash, hash FROM journal ORDER BY seq")
        var exhausted = false  // stepping a finished statement again would restart it
        func readChunk() throws(StoreError) -> JournalChunk {
            var chunk = JournalChunk()
            chunk.rows.reserveCapacity(chunkSize)
            chunk.bytes.reserveCapacity(chunkSize * 640)
            while !exhausted, chunk.rows.count < chunkSize {
                guard try rows.step() else { exhausted = true; break }
                let start = chunk.bytes.count
                let previous = rows.columnBytes(4, text: false)
                let at = Chain.appendMessage(to: &chunk.bytes, previous: previous, seq: rows.int(0), timestamp: rows.int(1),
                                             type: rows.columnBytes(2, text: true), payload: rows.columnBytes(3, text: true))
                chunk.rows.append(JournalChunk.Row(seq: rows.int(0), ts: rows.int(1), start: start, type: at.type, payload: at.payload,
                                                   end: chunk.bytes.count, previous: SHA256.Digest(previous),
                                                   hash: SHA256.Digest(rows.columnBytes(5, text: false))))
            }
            return chunk
        }
        // Up to `chunksInFlight` chunks are checked ahead, so both cores stay busy.
        var inFlight = [CheckedChunk]()
        func refill() throws(StoreError) {
            while inFlight.count < chunksInFlight {
                let chunk = try readChunk()
                if chunk.rows.isEmpty { return }
                inFlight.append(CheckedChunk(chunk, onAnotherThread: parallel))
            }
        }
        try refill()
        journal: while !inFlight.isEmpty {
            let current = inFlight.removeFirst()
            try refill()
            for entry in current.wait() {
                let seq = entry.seq, ts = entry.ts
                guard seq == expected else {
                    diverge(expected, seq > expected ? "entry \(expected) is missing (the next entry is \(seq))" : "entry \(seq) is out of order")
                    break journal
                }
                guard entry.previous == prev else { diverge(seq, "previous hash does not match entry \(seq - 1)'s hash"); break journal }
                if let problem = entry.problem { diverge(seq, problem); break journal }
                guard ts >= lastTs, let event = entry.event else { diverge(seq, "timestamp goes backwards"); break journal }
                if entry.legacy { legacy.append(seq) }
                let hash = entry.hash
                // The entry's day in the circle's zone: the policy in force before it.
                let zone = state.policy.zone
                do {
                    try state.apply(event, timestamp: ts)
                } catch {
                    diverge(seq, "event cannot follow the ledger: \(error)"); break journal
                }
                // The transfers and postings this entry must have produced, row by row: who, how
                // much, what kind, which exchange, on which day, and each posting's transfer.
                let posted = event.transfers
                if !posted.isEmpty || transfers.pending && transfers.seq <= seq || postings.pending && postings.seq <= seq {
                    let kind = event.transferKind
                    let day = days.day(ts, in: zone)
                    let matched = try transfers.matchTransfers(posted, kind: kind, day: day, at: seq)
                    if let (at, reason) = matched.divergence { diverge(at, reason); break journal }
                    if let (at, reason) = try postings.matchPostings(of: posted, transferIDs: matched.ids, day: day, at: seq) { diverge(at, reason); break journal }
                }
                if let x = event.exchangeID { exchangeSeq[x] = seq }
                if let f = entry.exchangeFingerprint { exchangeFingerprints.append(f) }
                consents.apply(event)
                if case .challengePledged(let e) = event {
                    pledges.append((seq, pledgePrint(e.pledge.challenge.number, e.pledge.member.handle, e.pledge.kind.rawValue, e.pledge.what, seq)))
                }
                if case .ledgerCreated(let e) = event { policies.append((seq, e.policy.json.canonicalString)) }
                if case .policyChanged(let e) = event { policies.append((seq, e.policy.json.canonicalString)) }
                if case .memberAdded(let e) = event {
                    memberSeqs[e.member.id] = MemberSeqs(added: seq, last: seq)
                }
                if case .listingPosted = event { listingPostedSeq.append(seq) }
                if case .ledgerCreated = event { memberSeqs[poolID] = MemberSeqs(added: seq, last: seq) }
                if case .memberLimitsSet(let e) = event { memberSeqs[e.id]?.last = seq }
                if case .memberSuspended(let e) = event { memberSeqs[e.id]?.last = seq }
                if case .memberReinstated(let e) = event { memberSeqs[e.id]?.last = seq }
                if case .memberLeft(let e) = event {
                    memberSeqs[e.id]?.last = seq
                    for c in e.cancelled { exchangeSeq[c] = seq }
                }
                prev = hash
                lastTs = ts
                headSeen = (seq, ts)
                expected += 1
            }
            // The chunk's events are freed on another thread too, off this one's path.
            if parallel { DispatchQueue.global().async { withExtendedLifetime(current) {} } }
        }
        if divergences.isEmpty, postings.pending {
            diverge(postings.seq, "a posting at \(postings.seq) belongs to no journal entry")
        }
        if divergences.isEmpty, transfers.pending {
            diverge(transfers.seq, "a transfer at \(transfers.seq) belongs to no journal entry")
        }
        let entries = expected - 1

        if divergences.isEmpty {
            if state.balanceSum != .zero { diverge(entries, "balances sum to \(state.balanceSum.value) minutes, not zero") }
            // Every posting row matched its entry and none is left, so the postings say which entry
            // last moved a member's balance.
            let lastPosting = try db.prepare("SELECT MAX(seq) FROM postings WHERE member = ?")
            func lastSeq(_ id: MemberID) throws(StoreError) -> Int64 {
                lastPosting.reset()
                try lastPosting.bind([.text(id.handle)])
                _ = try lastPosting.step()
                return max(lastPosting.optionalInt(0) ?? 1, memberSeqs[id]?.last ?? 1)
            }
            try compareProjections(db, state: state, lastSeq: lastSeq, exchangeSeq: exchangeSeq, exchangeFingerprints: exchangeFingerprints,
                                   consents: consents, pledges: pledges, created: (memberSeqs, listingPostedSeq), diverge: diverge)
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
        let first = divergences.min { $0.seq < $1.seq }
        return VerifyReport(entries: entries, head: headSeen.map { LedgerHead(seq: $0.seq, hash: prev.hexString, timestamp: $0.ts) }, divergence: first,
                            legacyIDs: legacy)
    }

    /// The fingerprint of what an exchange's row and parties hold besides its state, from the
    /// entry that proposed or recorded it (`compareProjections` computes it from the rows, as
    /// `Projector` writes them).
    static func fingerprint(_ x: ExchangeInfo, recorded: Bool, reason: String?) -> Int {
        var f = Fingerprint()
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
            target.withUTF8 { parties.add(role: UnsafeRawBufferPointer(start: nil, count: 0), position: -1, member: UnsafeRawBufferPointer($0)) }
        }
        parties.write(into: &f)
        return f.value
    }

    private static func compareProjections(_ db: Connection, state: LedgerState, lastSeq: (MemberID) throws(StoreError) -> Int64, exchangeSeq: ExchangeSeqs,
                                           exchangeFingerprints: [Int], consents: ConsentTracker, pledges: [(seq: Int64, print: Int)],
                                           created: (members: [MemberID: MemberSeqs], listings: [Int64]),
                                           diverge: (Int64, String) -> Void) throws(StoreError) {
        // Accounts and members.
        var seen = Set<MemberID>()
        // Each balance equals the sum of its postings without summing them again: every posting
        // row was matched, in order, to the postings its journal entry implies, and none was
        // left over, so the rows sum per member to what the replay gives.
        let s = try db.prepare("""
            SELECT m.id, m.status, m.kind, m.floor_override, m.ceiling_override, a.balance, a.given,
                   m.name, m.neighbourhood, m.domains, m.joined, m.added_seq
            FROM members m LEFT JOIN accounts a ON a.member = m.id
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
                ("entry", s.int(11) == created.members[id]?.added),
            ]) {
                diverge(try lastSeq(id), "member \(id) differs from the journal in its \(field)")
            }
            if s.isNull(5) || s.int(5) != m.balance.value {
                diverge(try lastSeq(id), "balance of \(id) is \(s.optionalInt(5).map { String($0) } ?? "missing") minutes; the journal gives \(m.balance.value)")
            }
            if s.int(6) != m.given.value { diverge(try lastSeq(id), "given credits of \(id) differ from the journal") }
        }
        for id in state.memberOrder where !seen.contains(id) { diverge(try lastSeq(id), "member \(id) is missing from the projection") }

        // Exchanges: the state, and the row and parties as the proposing or recording entry
        // gave them (by fingerprint; the parties are read beside the rows, in key order).
        var exSeen = 0
        let e = try db.prepare("""
            SELECT num, state, credits, end_reason, proposer, kind, domain, what, quantity, date, expires_at, recorded, reason, links, reversal_reason
            FROM exchanges ORDER BY num
            """)
        let parties = try db.prepare("SELECT exchange, member, role, position, consented FROM exchange_parties ORDER BY exchange")
        var partyPending = try parties.step()
        let links = try db.prepare("SELECT exchange, target FROM exchange_links ORDER BY exchange")
        var linkPending = try links.step()
        while try e.step() {
            let id = ExchangeID(uncheckedNumber: e.int(0))
            exSeen += 1
            var partiesSeen = UnorderedFingerprint(), consentsSeen = 0
            while partyPending, parties.int(0) <= id.number {
                if parties.int(0) == id.number {
                    let member = parties.columnBytes(1, text: true)
                    partiesSeen.add(role: parties.columnBytes(2, text: true), position: parties.int(3), member: member)
                    switch parties.int(4) {
                    case 0: break
                    case 1: consentsSeen &+= ConsentTracker.print(member)
                    default: consentsSeen &+= 1  // neither consented nor not: never the journal's sum
                    }
                }
                partyPending = try parties.step()
            }
            while linkPending, links.int(0) <= id.number {
                if links.int(0) == id.number { partiesSeen.add(role: UnsafeRawBufferPointer(start: nil, count: 0), position: -1, member: links.columnBytes(1, text: true)) }
                linkPending = try links.step()
            }
            guard let x = state.exchange(id) else { diverge(exchangeSeq[id] ?? 1, "exchange \(id) is not in the journal"); continue }
            if e.text(1) != x.state.rawValue || e.int(2) != x.info.credits.value {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id) is \(e.text(1)) in the projection; the journal gives \(x.state.rawValue)")
            } else if e.optionalText(3) != x.endReason {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s reason differs from the journal")
            } else if e.optionalText(14) != x.reversalReason {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s reason for its reversal differs from the journal")
            } else if id.number <= Int64(exchangeFingerprints.count) {
                var f = Fingerprint()
                f.text(e.isNull(4) ? nil : e.columnBytes(4, text: true))
                for col: Int32 in [5, 6, 7] { f.text(e.columnBytes(col, text: true)) }
                f.int(e.int(8))
                f.text(e.columnBytes(9, text: true))
                f.int(e.optionalInt(10))
                f.int(e.int(11))
                f.text(e.isNull(12) ? nil : e.columnBytes(12, text: true))
                f.text(e.columnBytes(13, text: true))
                partiesSeen.write(into: &f)
                if f.value != exchangeFingerprints[Int(id.number - 1)] {
                    diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s description or parties differ from the journal")
                } else if consentsSeen != consents.sum(of: id) {
                    diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s consents differ from the journal")
                }
            }
        }
        if partyPending { diverge(1, "the projection holds parties of exchange \(parties.int(0)), which is not in the journal") }
        if linkPending { diverge(1, "the projection holds links of exchange \(links.int(0)), which is not in the journal") }
        // Listings: latest version, expiry and state.
        var listingsSeen = 0
        let ls = try db.prepare("""
            SELECT num, version, expires, state, updated_seq, fulfilled_by, side, author, kind, domain, title, text, place, availability, challenge,
                   created_seq
            FROM listings
            """)
        while try ls.step() {
            listingsSeen += 1
            let at = ls.int(4)
            guard let l = state.listings[ls.int(0)] else { diverge(at, "listing \(ls.int(0)) is not in the journal"); continue }
            let info = l.info
            if let field = firstDifference([
                ("version", ls.int(1) == info.version), ("expiry", ls.int(2) == info.expires.number), ("state", (ls.text(3) == "withdrawn") == l.withdrawn),
                ("fulfilment", ls.optionalInt(5) == l.fulfilledBy?.number), ("side", ls.textEquals(6, info.id.side.rawValue)),
                ("author", ls.textEquals(7, info.author.handle)), ("kind", ls.textEquals(8, info.kind.rawValue)), ("domain", ls.textEquals(9, info.domain)),
                ("title", ls.textEquals(10, info.title)), ("text", ls.textEquals(11, info.text)), ("place", ls.optionalText(12) == info.place),
                ("availability", ls.optionalText(13) == info.availability), ("challenge", ls.optionalText(14) == info.challenge?.description),
                ("entry", ls.int(0) >= 1 && ls.int(0) <= Int64(created.listings.count) && ls.int(15) == created.listings[Int(ls.int(0) - 1)]),
            ]) {
                diverge(at, "listing \(info.id) differs from the journal in its \(field)")
            }
        }
        var loansSeen = 0
        let lo = try db.prepare("SELECT num, due, returned, updated_seq, lender, borrower, what, offer, lent FROM loans")
        while try lo.step() {
            loansSeen += 1
            guard let l = state.loans[lo.int(0)] else { diverge(lo.int(3), "loan \(lo.int(0)) is not in the journal"); continue }
            if let field = firstDifference([
                ("due day", lo.int(1) == l.info.due.number), ("return", lo.optionalInt(2) == l.returned?.number),
                ("lender", lo.textEquals(4, l.info.lender.handle)), ("borrower", lo.textEquals(5, l.info.borrower.handle)),
                ("description", lo.textEquals(6, l.info.what)), ("offer", lo.optionalText(7) == l.info.offer?.description), ("day lent", lo.int(8) == l.info.lent.number),
            ]) {
                diverge(lo.int(3), "loan \(l.info.id) differs from the journal in its \(field)")
            }
        }
        var bookingsSeen = 0
        let bk = try db.prepare("SELECT num, people, state, updated_seq, settled_by, end_reason, question, offer, member, day, start, end FROM bookings")
        while try bk.step() {
            bookingsSeen += 1
            guard let b = state.bookings[bk.int(0)] else { diverge(bk.int(3), "booking \(bk.int(0)) is not in the journal"); continue }
            let info = b.info
            if let field = firstDifference([
                ("number of people", bk.int(1) == info.people), ("state", (bk.text(2) == "cancelled") == b.cancelled),
                ("settlement", bk.optionalInt(4) == b.settledBy?.number), ("reason", bk.optionalText(5) == b.endReason),
                ("question", bk.optionalText(6) == info.question), ("space", bk.int(7) == info.offer.number), ("member", bk.textEquals(8, info.member.handle)),
                ("day", bk.int(9) == info.date.number), ("start", bk.int(10) == info.start), ("end", bk.int(11) == info.end),
            ]) {
                diverge(bk.int(3), "booking \(info.id) differs from the journal in its \(field)")
            }
        }
        var challengesSeen = 0
        let ch = try db.prepare("""
            SELECT num, state, updated_seq, (SELECT COUNT(*) FROM challenge_members m WHERE m.challenge = c.num), author, title, text, domains, ends
            FROM challenges c
            """)
        while try ch.step() {
            challengesSeen += 1
            guard let c = state.challenges[ch.int(0)] else { diverge(ch.int(2), "challenge \(ch.int(0)) is not in the journal"); continue }
            if let field = firstDifference([
                ("state", (ch.text(1) == "closed") == c.closed), ("members", ch.int(3) == Int64(c.members.count)),
                ("author", ch.textEquals(4, c.info.author.handle)), ("title", ch.textEquals(5, c.info.title)), ("text", ch.textEquals(6, c.info.text)),
                ("domains", ch.textEquals(7, c.info.domains.joined(separator: ","))), ("end", ch.int(8) == c.info.ends.number),
            ]) {
                diverge(ch.int(2), "challenge \(c.info.id) differs from the journal in its \(field)")
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
        let cm = try db.prepare("SELECT challenge, member, seq FROM challenge_members")
        var joined = [Int64: (members: Set<String>, lastSeq: Int64)]()
        while try cm.step() {
            joined[cm.int(0), default: ([], 1)].members.insert(cm.text(1))
            joined[cm.int(0)]!.lastSeq = max(joined[cm.int(0)]!.lastSeq, cm.int(2))
        }
        for n in Set(state.challenges.keys).union(joined.keys).sorted() {
            let want = Set(state.challenges[n]?.members.map(\.handle) ?? []), found = joined[n]
            if want != found?.members ?? [] { diverge(found?.lastSeq ?? 1, "the members of challenge ch-\(n) differ from the journal") }
        }
        var spacesSeen = 0
        let sp = try db.prepare("SELECT offer, capacity, hours, updated_seq FROM spaces")
        while try sp.step() {
            spacesSeen += 1
            guard let h = state.spaces[sp.int(0)] else { diverge(sp.int(3), "the hours of of-\(sp.int(0)) are not in the journal"); continue }
            if sp.int(1) != h.capacity || !sp.textEquals(2, h.json.canonicalString) { diverge(sp.int(3), "the hours of of-\(sp.int(0)) differ from the journal") }
        }
        if spacesSeen != state.spaces.count { diverge(1, "the projection holds hours of \(spacesSeen) spaces; the journal \(state.spaces.count)") }
        var introductionsSeen = 0
        let intro = try db.prepare("SELECT request, offer, seq FROM introductions")
        while try intro.step() {
            introductionsSeen += 1
            if !state.introductions.contains(IntroductionKey(ListingID(side: .request, uncheckedNumber: intro.int(0)), ListingID(side: .offer, uncheckedNumber: intro.int(1)))) {
                diverge(intro.int(2), "introduction of rq-\(intro.int(0)) to of-\(intro.int(1)) is not in the journal")
            }
        }
        if introductionsSeen != state.introductions.count { diverge(1, "the projection holds \(introductionsSeen) introductions; the journal \(state.introductions.count)") }
        if bookingsSeen != state.bookings.count { diverge(1, "the projection holds \(bookingsSeen) bookings; the journal \(state.bookings.count)") }
        if loansSeen != state.loans.count { diverge(1, "the projection holds \(loansSeen) loans; the journal \(state.loans.count)") }
        if listingsSeen != state.listings.count { diverge(1, "the projection holds \(listingsSeen) listings; the journal \(state.listings.count)") }
        if exSeen != state.exchangeCount {
            diverge(exchangeSeq.earliest ?? 1, "the projection holds \(exSeen) exchanges; the journal \(state.exchangeCount)")
        }
    }
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

/// The last entry that changed each exchange, by number: the journal numbers exchanges in
/// order (the replay checks it), so an array holds them.
struct ExchangeSeqs {
    private var seqs: [Int64] = []

    subscript(id: ExchangeID) -> Int64? {
        get { id.number >= 1 && id.number <= Int64(seqs.count) ? seqs[Int(id.number - 1)] : nil }
        set {
            guard let seq = newValue, id.number >= 1, id.number <= Int64(seqs.count) + 1 else { return }
            if id.number == Int64(seqs.count) + 1 { seqs.append(seq) } else { seqs[Int(id.number - 1)] = seq }
        }
    }

    /// The lowest of them.
    var earliest: Int64? { seqs.min() }
}

/// Rows of postings or transfers, read in order beside the journal and matched to the entry
/// each belongs to, without making a string of each member.
final class RowStream {
    private let rows: Statement
    /// Whether a row is read and not matched yet.
    private(set) var pending = false

    init(_ db: Connection, _ sql: String) throws(StoreError) {
        rows = try db.prepare(sql)
        try advance()
    }

    private func advance() throws(StoreError) { pending = try rows.step() }

    /// The pending row's entry.
    var seq: Int64 { rows.int(0) }

    /// Matches the postings of `transfers` (the payer's minus, then the payee's plus, for each)
    /// at entry `seq`; nil when they are the rows there, else the first divergence.
    func matchPostings(of transfers: [Transfer], transferIDs: [Int64], day: DayCheck, at seq: Int64) throws(StoreError) -> (Int64, String)? {
        if pending, self.seq < seq { return (self.seq, "a posting at \(self.seq) belongs to no journal entry") }
        var matched = 0
        /// Takes the next row if it is this posting.
        func matches(_ member: MemberID, _ minutes: Int64, _ transfer: Int64) throws(StoreError) -> Bool {
            guard pending, self.seq == seq, rows.textEquals(1, member.handle), rows.int(2) == minutes, rows.int(4) == transfer else { return false }
            guard day.holds(rows.int(3)) else { return false }
            try advance()
            matched += 1
            return true
        }
        for (t, id) in zip(transfers, transferIDs) {
            guard try matches(t.from, -t.minutes.value, id), try matches(t.to, t.minutes.value, id) else { break }
        }
        if matched == 2 * transfers.count, !(pending && self.seq == seq) { return nil }
        let want = transfers.flatMap { [($0.from, -$0.minutes.value), ($0.to, $0.minutes.value)] }
        // Say what the entry's rows are: the ones matched, and the rest of them.
        var found = want.prefix(matched).map { "\($0.0) \($0.1)" }
        while pending, self.seq <= seq {
            if self.seq < seq { return (self.seq, "a posting at \(self.seq) belongs to no journal entry") }
            found.append("\(rows.text(1)) \(rows.int(2))")
            try advance()
        }
        if found.count == want.count, found.elementsEqual(want.map { "\($0.0) \($0.1)" }) {
            return (seq, "postings differ from the journal entry in their day or transfer")
        }
        return (seq, "postings differ from the journal entry (expected \(want.map { "\($0.0) \($0.1)" }), found \(found))")
    }

    /// Matches `transfers` (payer, payee, minutes, and the entry's kind, exchange and day) at
    /// entry `seq`; gives the ids of the rows matched, for their postings.
    func matchTransfers(_ transfers: [Transfer], kind: (TransferKind, ExchangeID?)?, day: DayCheck, at seq: Int64)
        throws(StoreError) -> (ids: [Int64], divergence: (Int64, String)?) {
        if pending, self.seq < seq { return ([], (self.seq, "a transfer at \(self.seq) belongs to no journal entry")) }
        var ids = [Int64]()
        var differ = false
        for t in transfers {
            if pending, self.seq == seq, rows.textEquals(1, t.from.handle), rows.textEquals(2, t.to.handle), rows.int(3) == t.minutes.value,
               let (k, exchange) = kind, rows.textEquals(5, k.rawValue), rows.optionalInt(6) == exchange?.number, day.holds(rows.int(4)) {
                ids.append(rows.int(7))
                try advance()
            } else {
                differ = true
                break
            }
        }
        if !differ, !(pending && self.seq == seq) { return (ids, nil) }
        while pending, self.seq <= seq {
            if self.seq < seq { return (ids, (self.seq, "a transfer at \(self.seq) belongs to no journal entry")) }
            try advance()
        }
        return (ids, (seq, "transfers differ from the journal entry"))
    }
}

/// The kind and exchange of the transfers an event posts.
extension Event {
    fileprivate var transferKind: (TransferKind, ExchangeID?)? {
        switch self {
        case .exchangeConfirmed(let e): (.exchange, e.id)
        case .exchangeRecorded(let e): (.exchange, e.exchange.id)
        case .exchangeReversed(let e): (.reversal, e.id)
        case .poolDonated: (.donation, nil)
        case .poolGranted: (.grant, nil)
        case .memberLeft: (.settlement, nil)
        default: nil
        }
    }
}

/// The day an entry falls on in the circle's zone, as the projector computes it
/// (`Policy.day`), without asking the zone for its offset at every entry: the offset is kept
/// until the zone's next transition (as Foundation reports them) and for a day at most. A row
/// whose day differs from it is checked against `Policy.day` itself, so a row is never called
/// wrong that is right.
struct DayCache {
    private var zone: TimeZone?
    private var offset: Int64 = 0
    private var validFrom: Int64 = .max, validUntil: Int64 = .min

    mutating func day(_ ts: Int64, in zone: TimeZone) -> DayCheck {
        if zone != self.zone || ts < validFrom || ts >= validUntil {
            self.zone = zone
            let date = Date(timeIntervalSince1970: TimeInterval(ts))
            offset = Int64(zone.secondsFromGMT(for: date))
            validFrom = ts
            let transition = zone.nextDaylightSavingTimeTransition(after: date).map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? .max
            validUntil = min(transition, ts + 86_400)
        }
        return DayCheck(quick: Day(timestamp: ts + offset), ts: ts, zone: zone)
    }
}

/// An entry's day: the quick answer, and the exact one when a row disagrees with it.
struct DayCheck {
    let quick: Day
    let ts: Int64
    let zone: TimeZone

    /// Whether a row's day is the entry's.
    func holds(_ day: Int64) -> Bool { day == quick.number || day == Policy.day(ts, in: zone).number }
}

/// Journal rows read in one go, to be checked on another thread: each row's hash message (its
/// stored previous hash, `<seq>\n<ts>\n<type>\n`, its payload: `Chain.appendMessage`) laid end
/// to end in one buffer, with no array or string per row.
struct JournalChunk: Sendable {
    struct Row: Sendable {
        let seq: Int64
        let ts: Int64
        /// Where its message, type and payload start in `bytes`, and where it ends.
        let start: Int, type: Int, payload: Int, end: Int
        /// The stored previous hash and hash, when they are 32 bytes long.
        let previous: SHA256.Digest?
        let hash: SHA256.Digest?
    }

    var rows: [Row] = []
    var bytes: [UInt8] = []
}

/// A row whose own hash and encoding were checked: the decoded event, or what is wrong.
struct CheckedEntry: Sendable {
    let seq: Int64
    let ts: Int64
    let previous: SHA256.Digest?
    let hash: SHA256.Digest
    let event: Event?
    let problem: String?
    /// The entry was written before typed identities and holds an id in a legacy form.
    private(set) var legacy = false
    /// For an exchange proposed or recorded: the fingerprint of its row and parties (taken
    /// where the entry is checked, off the replaying thread).
    var exchangeFingerprint: Int?

    /// Checks that the stored hash covers the stored content (given the stored previous hash),
    /// and that the payload decodes to an event whose canonical encoding is those very bytes.
    init(_ row: JournalChunk.Row, in bytes: UnsafeBufferPointer<UInt8>) {
        (seq, ts, previous) = (row.seq, row.ts, row.previous)
        hash = SHA256.digest(UnsafeBufferPointer(rebasing: bytes[row.start..<row.end]))
        guard row.hash == hash else {
            event = nil
            problem = "hash does not match the entry's content"
            return
        }
        let typeBytes = UnsafeBufferPointer(rebasing: bytes[row.type..<(row.payload - 1)])
        let payloadBytes = UnsafeBufferPointer(rebasing: bytes[row.payload..<row.end])
        // The commonest entries, read straight from their bytes, canonical by construction.
        if let known = EventType(utf8: typeBytes), let (e, _) = Event.reading(type: known, canonicalPayload: payloadBytes) {
            event = e
            problem = nil
            return
        }
        let type = String(decoding: typeBytes, as: UTF8.self)
        let payload = Array(payloadBytes)
        guard let json = try? JSON.parse(payload) else {
            event = nil
            problem = "payload of \(type) is not JSON"
            return
        }
        // Who acted; entries written before the actor was journaled name nobody.
        let named = Event.journaledActor(in: json)
        if case .some(.none) = named {
            event = nil
            problem = "payload of \(type) names an actor that is not one"
            return
        }
        let actor = named ?? nil
        if let e = Event(type: type, payload: json), e.payloadBytes(actor: actor) == payload {
            event = e
            problem = nil
            return
        }
        // Written before typed identities? Read ids in their legacy form; the entry is then
        // exactly the canonical encoding of its event with those ids as they were written.
        var ids = IDReading(allowsLegacy: true)
        if let e = Event(type: type, payload: json, ids: &ids), !ids.legacy.isEmpty,
           CheckedEntry.restoring(ids.legacy, in: e.payloadBytes(actor: actor)) == payload {
            event = e
            problem = nil
            legacy = true
            return
        }
        event = nil
        problem = "payload is not a canonical \(type) event"
    }

    /// `payload` with each canonical id put back as the legacy text it was read from (whole
    /// JSON strings only); nil when one id was written in two forms in one entry.
    static func restoring(_ legacy: [(text: String, canonical: String)], in payload: [UInt8]) -> [UInt8]? {
        var back = [String: String]()
        for (text, canonical) in legacy {
            if let other = back[canonical], other != text { return nil }
            back[canonical] = text
        }
        var out = payload
        for (canonical, text) in back {
            out = replacing(Array("\"\(canonical)\"".utf8), with: Array("\"\(text)\"".utf8), in: out)
        }
        return out
    }

    private static func replacing(_ a: [UInt8], with b: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            if bytes[i] == a[0], i + a.count <= bytes.count, bytes[i..<(i + a.count)].elementsEqual(a) {
                out.append(contentsOf: b)
                i += a.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

/// A chunk of rows being checked on another thread (or at once, on this one); `wait()` returns
/// them checked, in order.
/// `@unchecked Sendable`: `result` is written once before `done` is signalled and read after.
final class CheckedChunk: @unchecked Sendable {
    private var result: [CheckedEntry] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ chunk: JournalChunk, onAnotherThread: Bool) {
        guard onAnotherThread else {
            result = CheckedChunk.check(chunk)
            done.signal()
            return
        }
        DispatchQueue.global().async { [self] in
            result = CheckedChunk.check(chunk)
            done.signal()
        }
    }

    private static func check(_ chunk: JournalChunk) -> [CheckedEntry] {
        chunk.bytes.withUnsafeBufferPointer { bytes in
            chunk.rows.map { row in
                var entry = CheckedEntry(row, in: bytes)
                switch entry.event {
                case .exchangeProposed(let e): entry.exchangeFingerprint = Verifier.fingerprint(e.exchange, recorded: false, reason: nil)
                case .exchangeRecorded(let e): entry.exchangeFingerprint = Verifier.fingerprint(e.exchange, recorded: true, reason: e.reason)
                default: break
                }
                return entry
            }
        }
    }

    func wait() -> [CheckedEntry] {
        done.wait()
        return result
    }
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

    mutating func int(_ n: Int64?) {
        hasher.combine(n != nil)
        hasher.combine(n ?? 0)
    }

    var value: Int { hasher.finalize() }
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

    func write(into f: inout Fingerprint) {
        f.int(Int64(count))
        f.int(Int64(sum))
    }

}

/// Who consented to each exchange, as the projector marks its parties (`consented = 1`): the
/// proposer when it proposes, each member who consents or confirms, every party of a recorded
/// exchange. Kept as a sum of the members' keyed fingerprints, a word an exchange.
struct ConsentTracker {
    private var sums: [Int] = []

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

    /// One consenting member's share of the sum.
    static func print(_ member: UnsafeRawBufferPointer) -> Int {
        var f = Fingerprint()
        f.text(member)
        return f.value
    }
}

/// One pledge's share of the pledges' sum: its challenge, member, kind, words and entry.
private func pledgePrint(_ challenge: Int64, _ member: String, _ kind: String, _ what: String, _ seq: Int64) -> Int {
    var f = Fingerprint()
    f.int(challenge)
    f.text(member)
    f.text(kind)
    f.text(what)
    f.int(seq)
    return f.value
}
