import Testing
@testable import KringCore

/// The arrays a `LedgerState` keeps its rows in: by number (listings, loans, bookings,
/// challenges) and members by id in registration order, each held to the dictionary it replaced.
struct LedgerTablesTests {
    @Test("ByNumber appends the next number, replaces a held one, and keeps nothing at 0, below, or past the next")
    func byNumberKeepsOnlyTheSequence() {
        var t = ByNumber<String>()
        #expect(t.count == 0 && t.numbers.isEmpty && t[1] == nil)
        t[2] = "gap"
        t[0] = "zero"
        t[-1] = "negative"
        #expect(t.count == 0, "a number past the next, or below 1, is not kept")
        t[1] = "a"
        t[2] = "b"
        t[3] = "c"
        t[2] = "B"
        t[5] = "gap"
        t[3] = nil
        #expect(t.values == ["a", "B", "c"], "nil removes nothing; 5 is past the next (4)")
        #expect(Array(t.numbers) == [1, 2, 3])
        #expect(t[0] == nil && t[4] == nil && t[Int64.max] == nil && t[Int64.min] == nil)
        var u = ByNumber<String>()
        for (n, v) in zip(t.numbers, t.values) { u[n] = v }
        #expect(u == t)
    }

    @Test("MemberTable, on random ids added, updated and looked up, agrees with a dictionary and keeps registration order", arguments: [UInt64(1), 2])
    func memberTableAgreesWithADictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var table = MemberTable(), oracle = [MemberID: MemberState](), order = [MemberID]()
        let day = Day(iso: "2026-06-01")!
        for i in 0..<3_000 {
            // Short ids (held inline), long ones (allocated apart), and repeats.
            let id = MemberID(canonical: (rng.below(2) == 0 ? "m" : "bewonersgroep-noord-") + String(rng.below(1_500)))!
            if var known = oracle[id] {
                known.balance += Minutes(Int64(i))
                table[id] = known
                oracle[id] = known
            } else {
                #expect(table[id] == nil)
                let state = MemberState(info: MemberInfo(id: id, name: "lid \(i)", kind: .person, joined: day))
                table[id] = state
                oracle[id] = state
                order.append(id)
            }
        }
        #expect(table.count == oracle.count && table.isEmpty == false)
        #expect(table.values.map(\.id) == order, "registration order")
        for (id, state) in oracle {
            #expect(table[id] == state)
            #expect(table.index(forKey: id).map { table.values[$0] } == state)
        }
        #expect(table[MemberID(canonical: "nobody")!] == nil && table.index(forKey: MemberID(canonical: "nobody")!) == nil)
        var copy = table
        #expect(copy == table)
        copy[order[0]]!.status = .suspended
        #expect(copy != table, "a state changed in place is a difference")
    }

    @Test("ListingTable, compact (in 48-byte spilled rows), holds what a whole one holds on random posts, edits, withdrawals, renewals and fulfilments", arguments: [UInt64(3), 4])
    func compactListingsAgreeWithWholeOnes(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var members = MemberTable()
        let day = Day(iso: "2026-06-01")!
        for i in 0..<200 {
            let id = MemberID(canonical: (i % 3 == 0 ? "bewonersgroep-wijk-" : "m") + String(i))!
            members[id] = MemberState(info: MemberInfo(id: id, name: "lid \(i)", kind: .person, joined: day))
        }
        let domains = ["care", "food", "work", "zorg-en-welzijn-voor-iedereen", ""]
        var compact = ListingTable(compact: true), whole = ListingTable(compact: false)
        func author() -> MemberID {
            // Now and then an edit names someone who is not a member: a journal being checked may say anything.
            rng.below(50) == 0 ? MemberID(canonical: "vreemde-\(rng.below(5))")! : members.values[rng.below(members.count)].id
        }
        func info(_ n: Int64, version: Int64, by who: MemberID) -> ListingInfo {
            ListingInfo(id: ListingID(side: rng.below(2) == 0 ? .offer : .request, uncheckedNumber: n), author: who,
                        kind: ExchangeKind.allCases[rng.below(3)], domain: domains[rng.below(domains.count)], title: "t", text: "x", place: nil,
                        availability: nil, expires: Day(day.number + Int64(rng.below(400))), version: version,
                        challenge: rng.below(4) == 0 ? ChallengeID(uncheckedNumber: Int64(1 + rng.below(9))) : nil).replayed
        }
        for _ in 0..<6_000 {
            let n = Int64(whole.count)
            if n == 0 || rng.below(3) == 0 {
                let r = ListingRecord(info: info(n + 1, version: 1, by: members.values[rng.below(members.count)].id), withdrawn: false)
                compact.append(r, members: members)
                whole.append(r, members: members)
                continue
            }
            let k = Int64(1 + rng.below(Int(n)))
            let change: (inout ListingRecord) -> Void
            switch rng.below(5) {
            case 0:
                var edited = info(k, version: 0, by: author())
                edited = ListingInfo(id: whole.get(k, members: members)!.info.id, author: edited.author, kind: edited.kind, domain: edited.domain,
                                     title: "", text: "", place: nil, availability: nil, expires: edited.expires,
                                     version: whole.get(k, members: members)!.info.version + 1, challenge: edited.challenge)
                change = { [edited] in $0.info = edited }
            case 1: change = { $0.withdrawn = true }
            case 2: let d = Day(day.number + Int64(rng.below(900))); change = { $0.info.expires = d }
            case 3: let x = ExchangeID(uncheckedNumber: Int64(1 + rng.below(100_000))); change = { $0.fulfilledBy = x }
            default: change = { $0.fulfilledBy = nil }
            }
            compact.update(k, members: members, change)
            whole.update(k, members: members, change)
        }
        #expect(compact.count == whole.count && compact.count > 1_500)
        for n in Int64(0)...Int64(whole.count + 1) {
            #expect(compact.get(n, members: members) == whole.get(n, members: members), "listing \(n)")
            #expect(compact.fulfilledBy(n) == whole.fulfilledBy(n), "listing \(n)")
        }
        #expect(compact.get(1, members: members) != nil && compact.get(0, members: members) == nil)
    }

    /// Members for the table tests: some with long ids, one in three.
    private static func members() -> MemberTable {
        var members = MemberTable()
        let day = Day(iso: "2026-06-01")!
        for i in 0..<200 {
            let id = MemberID(canonical: (i % 3 == 0 ? "bewonersgroep-wijk-" : "m") + String(i))!
            members[id] = MemberState(info: MemberInfo(id: id, name: "lid \(i)", kind: .person, joined: day))
        }
        return members
    }

    @Test("LoanTable, compact (in 40-byte rows), holds what a whole one holds but the description, on random loans and returns", arguments: [UInt64(5), 6])
    func compactLoansAgreeWithWholeOnes(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let members = Self.members(), day = Day(iso: "2026-06-01")!
        var compact = LoanTable(compact: true), whole = LoanTable(compact: false)
        for _ in 0..<3_000 {
            let n = Int64(whole.count)
            if n == 0 || rng.below(2) == 0 {
                let offer: ListingID? = switch rng.below(3) {
                case 0: nil
                case 1: ListingID(side: .offer, uncheckedNumber: Int64(1 + rng.below(90_000)))
                default: ListingID(side: .request, uncheckedNumber: Int64(1 + rng.below(90_000)))  // a journal under check may say so
                }
                let lent = Day(day.number + Int64(rng.below(700)))
                let info = LoanInfo(id: LoanID(uncheckedNumber: n + 1), lender: members.values[rng.below(members.count)].id,
                                    borrower: members.values[rng.below(members.count)].id, what: "boormachine \(n)", offer: offer,
                                    lent: lent, due: lent + Int64(rng.below(60)))
                compact.append(LoanRecord(info: info), members: members)
                whole.append(LoanRecord(info: info), members: members)
            } else {
                let k = Int64(1 + rng.below(Int(n))), on = Day(day.number + Int64(rng.below(800)))
                compact.setReturned(k, on: on)
                whole.setReturned(k, on: on)
            }
        }
        #expect(compact.count == whole.count && compact.count > 1_000)
        var returned = 0
        for n in Int64(0)...Int64(whole.count + 1) {
            var want = whole.get(n, members: members)
            want?.info.what = ""
            #expect(compact.get(n, members: members) == want, "loan \(n)")
            if want?.returned != nil { returned += 1 }
        }
        #expect(returned > 500 && whole.get(1, members: members)?.info.what == "boormachine 0")
    }

    @Test("BookingTable, compact (in 56-byte rows), holds what a whole one holds but the question and reason, on random bookings, cancellations and settlements", arguments: [UInt64(7), 8])
    func compactBookingsAgreeWithWholeOnes(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let members = Self.members(), day = Day(iso: "2026-06-01")!
        var compact = BookingTable(compact: true), whole = BookingTable(compact: false)
        for _ in 0..<3_000 {
            let n = Int64(whole.count)
            let k = n == 0 ? 0 : Int64(1 + rng.below(Int(n)))
            switch n == 0 ? 0 : rng.below(4) {
            case 0, 1:
                let start = Int64(rng.below(90)) * 15
                let info = BookingInfo(id: BookingID(uncheckedNumber: n + 1), offer: ListingID(side: .offer, uncheckedNumber: Int64(1 + rng.below(40))),
                                       member: members.values[rng.below(members.count)].id, date: Day(day.number + Int64(rng.below(300))),
                                       start: start, end: start + 15 * Int64(1 + rng.below(8)), people: Int64(1 + rng.below(30)),
                                       question: rng.below(2) == 0 ? "Hoe begin ik?" : nil)
                compact.append(BookingRecord(info: info), members: members)
                whole.append(BookingRecord(info: info), members: members)
            case 2:
                let reason: String? = rng.below(2) == 0 ? "Toch niet nodig." : nil
                compact.cancel(k, reason: reason)
                whole.cancel(k, reason: reason)
            default:
                let by: ExchangeID? = rng.below(3) == 0 ? nil : ExchangeID(uncheckedNumber: Int64(1 + rng.below(100_000)))
                compact.setSettled(k, by: by)
                whole.setSettled(k, by: by)
            }
        }
        #expect(compact.count == whole.count && compact.count > 1_000)
        var cancelled = 0, settled = 0
        for n in Int64(0)...Int64(whole.count + 1) {
            var want = whole.get(n, members: members)
            want?.info.question = nil
            want?.endReason = nil
            #expect(compact.get(n, members: members) == want, "booking \(n)")
            #expect(compact.settledBy(n) == whole.settledBy(n), "booking \(n)")
            if want?.cancelled == true { cancelled += 1 }
            if want?.settledBy != nil { settled += 1 }
        }
        #expect(cancelled > 200 && settled > 200)
        // The whole table also answers by space and day, as deciding asks.
        let first = whole.get(1, members: members)!.info
        #expect(whole.on(first.offer, day: first.date).contains { $0.info.id == first.id })
    }

    @Test("SpaceTable, compact (capacities by offer number), knows the same spaces and capacities as a whole one, on random hours set and set again", arguments: [UInt64(9), 10])
    func compactSpacesAgreeWithWholeOnes(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var compact = SpaceTable(compact: true), whole = SpaceTable(compact: false)
        let open = [[480...1020], [], [], [600...720, 780...1080], [], [], []] as [[ClosedRange<Int64>]]
        for _ in 0..<2_000 {
            let n = Int64(1 + rng.below(3_000)), hours = SpaceHours(capacity: Int64(1 + rng.below(200)), weekly: open)
            compact.set(n, hours)
            whole.set(n, hours)
        }
        #expect(compact.count == whole.count && compact.count > 1_000 && compact.count < 2_000, "some set again")
        for n in Int64(0)...3_001 {
            #expect(compact.get(n)?.capacity == whole.get(n)?.capacity, "offer \(n)")
            #expect((compact.get(n) == nil) == (whole.get(n) == nil), "offer \(n)")
        }
        #expect(whole.get(Int64(1 + (0..<3_000).first { whole.get(Int64($0 + 1)) != nil }!))?.weekly == open)
    }

    @Test("ExchangeTable, compact, gives each exchange the requests and bookings it links, in its order, among many that link none, some or several; its state and credits as a whole table does", arguments: [UInt64(11), 12])
    func compactExchangesKeepTheirLinks(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var compact = ExchangeTable(compact: true), whole = ExchangeTable(compact: false)
        func link() -> ExchangeLink {
            switch rng.below(4) {
            case 0: .listing(ListingID(side: .request, uncheckedNumber: Int64(1 + rng.below(5_000))))
            case 1: .booking(BookingID(uncheckedNumber: Int64(1 + rng.below(5_000))))
            case 2: .listing(ListingID(side: .offer, uncheckedNumber: Int64(1 + rng.below(5_000))))  // not kept: fulfils nothing
            default: .challenge(ChallengeID(uncheckedNumber: Int64(1 + rng.below(9))))  // not kept either
            }
        }
        for n in Int64(1)...20_000 {
            let links = rng.below(3) == 0 ? (0..<(1 + rng.below(4))).map { _ in link() } : []
            let info = ExchangeInfo(id: ExchangeID(uncheckedNumber: n), proposer: nil, providers: ["an"], receivers: ["bo"], kind: .time, domain: "care",
                                    what: "x", credits: Minutes(Int64(15 * (1 + rng.below(40)))), quantity: 0, date: Day(0), expiresAt: nil, links: links)
            let r = ExchangeRecord(info: info, state: .proposed, consents: [], recorded: false)
            compact.append(r)
            whole.append(r)
            // Now and then an earlier one ends, with or without a reason.
            if rng.below(5) == 0 {
                let k = ExchangeID(uncheckedNumber: Int64(1 + rng.below(Int(n))))
                let reason: String? = rng.below(2) == 0 ? "geen tijd" : nil
                compact.setState(k, .rejected) { $0.endReason = reason }
                whole.setState(k, .rejected) { $0.endReason = reason }
            }
        }
        var linked = 0
        for n in Int64(0)...20_001 {
            let id = ExchangeID(uncheckedNumber: n)
            let want = whole[id].map { $0.info.links.filter { $0.request != nil || $0.booking != nil } }
            #expect(compact[id]?.info.links == want, "\(id)")
            #expect(compact[id]?.state == whole[id]?.state && compact[id]?.endReason == nil, "\(id)")
            // What the replay reads without building a record says the same.
            #expect(compact.links(id) == (want ?? []) && whole.links(id) == (whole[id]?.info.links ?? []), "\(id)")
            #expect(compact.stateAndCredits(id)?.state == whole[id]?.state && compact.stateAndCredits(id)?.credits == whole[id]?.info.credits
                    && whole.stateAndCredits(id)?.credits == whole[id]?.info.credits, "\(id)")
            if want?.isEmpty == false { linked += 1 }
        }
        #expect(linked > 3_000)
    }
}
