import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The single writer decides on the SQL projections; the bulk loader on the in-memory ledger.
/// Fed the same commands at the same moments, they must write the very same journal: same
/// accepted commands, same events, same hashes.
@Suite(.serialized) struct EquivalenceTests {
    @Test func theWriterAndTheBulkLoaderWriteTheSameJournal() throws {
        let dir = TempDir("equiv"); defer { dir.remove() }
        let clock = TestClock()
        let start = clock.now
        let ledger = try Ledger.create(path: dir.file("writer.sqlite"), clock: clock.clock)
        let loader = try BulkLoader(path: dir.file("bulk.sqlite"), genesisAt: start)
        var rng = SplitMix64(seed: 4242)
        let ids = fixtureMembers.map(\.0)
        var commands: [(Command, Actor)] = fixtureMembers.map { (.addMember(MemberDraft(id: $0.0, name: $0.0.handle, kind: $0.1, neighbourhood: "Oost", domains: ["care"])), .coordinator) }
        var due = [(Int64, ExchangeID)]()
        var open = [(id: ExchangeID, parties: [MemberID])]()
        var posted = [ListingID]()
        // Space offers posted, and those given hours: rooms are booked on them, not on any listing.
        var spaces = [ListingID](), rooms = [ListingID](), bookings = [BookingID]()
        var accepted = 0, refused = 0
        var codes = [RuleCode: Int]()
        for step in 0..<3_000 {
            if commands.isEmpty {
                let n = rng.below(135)
                let pick = { rng.pick(ids) }
                let credits = Minutes(Int64(15 * (1 + rng.below(rng.chance(0.1) ? 120 : 12))))
                let kind: ExchangeKind = rng.chance(0.7) ? .time : rng.pick([.space, .goods])
                // Several providers, listed out of alphabetical order, for one receiver now and then.
                let providers = rng.chance(0.15) ? [pick(), pick(), pick()] : [pick()]
                let receivers = [pick()]
                // Now and then it says which offer or request it fulfils (right or wrong).
                let links: [ExchangeLink] = rng.chance(0.1) ? [canonical("\(rng.pick(["of", "rq", "ch"]))-\(1 + rng.below(max(1, step / 8)))")] : []
                let draft = ExchangeDraft(providers: providers, receivers: receivers, kind: kind, domain: "care", what: "w \(step)", credits: credits,
                                          links: links)
                // Mostly a proposal still open, answered by one of its parties; now and then anything.
                var x: ExchangeID = canonical("ex-\(1 + rng.below(max(1, step / 3)))")
                var party = pick()
                if !open.isEmpty, rng.chance(0.8) {
                    let o = rng.pick(open)
                    x = o.id
                    party = rng.pick(o.parties)
                }
                switch n {
                case 0..<30: commands = [(.record(draft, reason: nil), .coordinator)]
                case 30..<55: commands = [(.propose(draft), .member(rng.pick(providers + receivers)))]
                case 55..<80: commands = [(.confirm(x), .member(party))]
                // Half the refusals give a reason: verify holds the rows to its fingerprint.
                case 80..<85: commands = [(.reject(x, reason: rng.chance(0.5) ? "geen tijd" : nil), .member(party))]
                case 85..<88: commands = [(.cancel(x, reason: rng.chance(0.5) ? "toch niet" : nil), .member(party))]
                case 88..<93: commands = [(.reverse(x, reason: "mistake"), .coordinator)]
                case 93..<96: commands = [(.donate(from: pick(), minutes: credits), .coordinator)]
                case 96..<98: commands = [(.grant(to: pick(), minutes: credits, reason: "help"), .coordinator)]
                case 98: commands = [(.suspend(pick()), .coordinator)]
                case 99: commands = [(.reinstate(pick()), .coordinator)]
                case 100..<103: commands = [(.setLimits(pick(), floor: .set(.hours(-Int64(rng.below(30)))), ceiling: .keep), .coordinator)]
                case 103: commands = [(rng.chance(0.15) ? .leave(pick()) : .reinstate(pick()), .coordinator)]  // leaving is rare, or nobody is left
                case 104:
                    var p = Policy.standard
                    p.pairCapMinutes = Int64(20 + rng.below(30)) * 60
                    commands = [(.setPolicy(p), .coordinator)]
                case 105..<112:
                    let author = pick()
                    var l: ListingID = canonical("\(rng.chance(0.5) ? "of" : "rq")-\(1 + rng.below(max(1, step / 8)))")
                    if !posted.isEmpty, rng.chance(0.7) { l = rng.pick(posted) }
                    let d = ListingDraft(side: rng.chance(0.5) ? .offer : .request, author: author, kind: rng.chance(0.5) ? .space : kind, domain: "care",
                                         title: "t \(step)", days: rng.chance(0.2) ? Int64(rng.below(400)) : nil)
                    switch rng.below(4) {
                    case 0: commands = [(.postListing(d), .member(author))]
                    case 1: commands = [(.editListing(l, d), rng.chance(0.5) ? .coordinator : .member(author))]
                    case 2: commands = [(.withdrawListing(l), rng.chance(0.5) ? .coordinator : .member(author))]
                    default: commands = [(.renewListing(l, days: rng.chance(0.5) ? nil : Int64(rng.below(400))), .member(author))]
                    }
                case 115..<119:
                    // Rooms: hours on a space offer, bookings, cancellations.
                    let offer: ListingID = !rooms.isEmpty && rng.chance(0.7) ? rng.pick(rooms)
                        : !spaces.isEmpty && rng.chance(0.8) ? rng.pick(spaces) : posted.isEmpty ? "of-1" : rng.pick(posted)
                    switch rng.below(4) {
                    case 0: commands = [(.setSpaceHours(offer, SpaceHours(capacity: Int64(1 + rng.below(12)), weekly: SpaceHours.parseWeek("mon-sat 08:00-20:00")!)), .coordinator)]
                    case 1:
                        let booking: BookingID = !bookings.isEmpty && rng.chance(0.7) ? rng.pick(bookings) : canonical("bk-\(1 + rng.below(max(1, step / 30)))")
                        commands = [(.cancelBooking(booking), .coordinator)]
                    default:
                        let who = pick()
                        let start = Int64(7 * 60 + 30 * rng.below(24))
                        commands = [(.book(BookingDraft(offer: offer, member: who, date: clock.today + Int64(rng.below(3)), start: start,
                                                        end: start + Int64(30 * (1 + rng.below(6))), people: Int64(1 + rng.below(5)))), .member(who))]
                    }
                case 119..<122:
                    let who = pick()
                    let ch: ChallengeID = canonical("ch-\(1 + rng.below(max(1, step / 60)))")
                    switch rng.below(5) {
                    case 0: commands = [(.postChallenge(author: rng.pick(["fanfare", "repaircafe", "stad", "an"] as [MemberID]), title: "c \(step)", text: "",
                                                        domains: ["care"], ends: clock.today + Int64(rng.below(40))), .coordinator)]
                    case 1, 2: commands = [(.joinChallenge(ch, member: who), .member(who))]
                    case 3: commands = [(.pledge(Pledge(challenge: ch, member: who, kind: kind, what: "p")), .member(who))]
                    default: commands = [(.closeChallenge(ch), .coordinator)]
                    }
                case 112..<115:
                    let lender = pick()
                    commands = [rng.chance(0.6)
                        ? (.lend(LoanDraft(lender: lender, borrower: pick(), what: "tool", due: clock.today + Int64(rng.below(30)))), .member(lender))
                        : (.returnLoan(canonical("ln-\(1 + rng.below(max(1, step / 20)))")), .coordinator)]
                default:
                    // Time passes; the writer expires due proposals by itself before its next
                    // write, the loader is told to, in the same order.
                    clock.advance(seconds: Int64(rng.below(6 * 86_400)))
                    commands = [(.record(draft, reason: nil), .coordinator)]
                }
            }
            let (command, actor) = commands.removeFirst()
            let now = max(clock.now, ledger.head.seq > 0 ? ledger.projector.head.ts : 0)
            for (expires, id) in due.sorted(by: { $0.1.number < $1.1.number }) where expires <= now {
                _ = try loader.execute(.expire(id), by: .system, at: now)
            }
            due.removeAll { $0.0 <= now }
            let viaWriter = Result { try ledger.execute(command, by: actor) }
            let viaLoader = try loader.execute(command, by: actor, at: now)
            switch (viaWriter, viaLoader) {
            case (.success(let o), .success(let d)):
                #expect(o.event == d.event, "step \(step): the writer decided \(o.event), the loader \(d.event)")
                if case .exchangeProposed(let proposed) = d.event, let e = proposed.exchange.expiresAt {
                    due.append((e, proposed.exchange.id))
                    open.append((proposed.exchange.id, proposed.exchange.parties))
                }
                if case .listingPosted(let e) = d.event {
                    posted.append(e.listing.id)
                    if e.listing.side == .offer, e.listing.kind == .space { spaces.append(e.listing.id) }
                }
                if case .spaceHoursSet(let e) = d.event { rooms.append(e.offer) }
                if case .spaceBooked(let e) = d.event {
                    bookings.append(e.booking.id)
                    // Now and then cancelled at once, before time moves past its day.
                    if rng.chance(0.3) { commands.append((.cancelBooking(e.booking.id), .coordinator)) }
                }
                accepted += 1
            case (.failure(let e), .failure(let v)):
                guard case .rule(let w) = e as? LedgerError else { Issue.record("step \(step): \(e)"); return }
                #expect(w.code == v.code, "step \(step): \(command) refused as \(w.code) by the writer, \(v.code) by the loader")
                codes[v.code, default: 0] += 1
                refused += 1
            default:
                Issue.record("step \(step): \(command) by \(actor): writer \(viaWriter), loader \(viaLoader)")
                return
            }
        }
        let head = try loader.finish()
        #expect(head.seq == ledger.head.seq)
        #expect(head.hash == ledger.head.hash.hexString, "the two journals differ")
        #expect(try Verifier.verify(path: dir.file("bulk.sqlite")).ok)
        #expect(accepted > 300 && refused > 100, "\(accepted) accepted, \(refused) refused: \(codes)")
        let kinds = try Connection(path: dir.file("writer.sqlite")).prepare("SELECT COUNT(DISTINCT type), SUM(type = 'exchange.expired'), group_concat(DISTINCT type) FROM journal")
        #expect(try kinds.step() && kinds.int(0) >= 20 && kinds.int(1) > 0, "the workload should reach most event types, expiry included (\(kinds.text(2)))")
        // Rooms booked and cancelled, whose rows verify also holds to the journal.
        let booked = try Connection(path: dir.file("writer.sqlite")).prepare("SELECT SUM(type = 'space.booked'), SUM(type = 'space.cancelled') FROM journal")
        #expect(try booked.step() && booked.int(0) > 5 && booked.int(1) > 0, "\(booked.int(0)) bookings, \(booked.int(1)) cancelled")
        // Reasons given, which the verify above held to the journal by their fingerprints.
        let reasoned = try Connection(path: dir.file("bulk.sqlite")).scalarInt("SELECT COUNT(*) FROM exchanges WHERE end_reason IS NOT NULL") ?? 0
        #expect(reasoned > 0, "\(reasoned) exchanges ended with a reason")
    }
}
