import KringCore

/// Settings of a demo community.
public struct DemoOptions: Sendable {
    public var members = 150
    public var months = 18
    public var seed: UInt64 = 42
    /// The last day of the demo's history (the CLI passes today).
    public var endDay: Day

    public init(members: Int = 150, months: Int = 18, seed: UInt64 = 42, endDay: Day) {
        self.members = members
        self.months = months
        self.seed = seed
        self.endDay = endDay
    }
}

/// What the demo built.
public struct DemoSummary: Sendable {
    public let members: Int
    public let events: Int
    public let refused: Int
    public let refusals: [RuleCode: Int]
    public let head: LedgerHead
}

/// Builds a realistic, deterministic community: members of every kind in a few neighbourhoods,
/// months of exchanges of time, space and goods across all policy domains, rooms lent (some as
/// gifts), a monthly repair café (a group exchange), pool donations and grants, rejected,
/// cancelled and expired proposals, a policy change, suspensions, a departure and two
/// reversals. Every command goes through the same rules as real use; refusals are counted.
public enum DemoCommunity {
    static let neighbourhoods = ["Centrum", "Noord", "Oost", "Zuid", "West", "Havenkwartier"]
    static let firstNames = ["An", "Bram", "Chloé", "Daan", "Els", "Fatima", "Gert", "Hanne", "Ilias", "Jana", "Karim", "Lotte",
                             "Mehmet", "Nora", "Omar", "Pieter", "Quinten", "Rania", "Sofie", "Tom", "Ursula", "Vic", "Wout",
                             "Xander", "Yasmine", "Zoë", "Lucas", "Emma", "Noah", "Marie", "Arthur", "Louise", "Jules", "Lina"]
    static let lastNames = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
                            "Dubois", "Lambert", "Dupont", "El Amrani", "Yilmaz", "Vermeulen", "Van den Broeck", "De Vos", "Hermans",
                            "Aerts", "Bogaert", "Desmet", "Martens", "Smets", "Cools", "Van Damme"]
    static let companyNames = ["Bakkerij", "Drukkerij", "Coworking", "Brouwerij", "Fietsenwinkel", "Architectenbureau", "Boekhandel",
                               "Garage", "Apotheek", "Softwarehuis", "Hotel", "Schrijnwerkerij"]
    static let associationNames = ["Buurtvereniging", "Jeugdhuis", "Sportclub", "Fanfare", "Tuinclub", "Seniorenclub",
                                   "Toneelkring", "Natuurpunt-afdeling", "Gezinsbond", "Schaakclub"]
    static let initiativeNames = ["Buurtmoestuin", "Deelfietsen", "Voedselteam", "Klusjesdienst", "Leesclub", "Energiecoöperatie",
                                  "Weggeefwinkel", "Speelstraat"]
    static let timeTasks: [(String, String)] = [
        ("care", "boodschappen gedaan"), ("care", "vervoer naar het ziekenhuis"), ("loneliness", "wekelijks bezoek en koffie"),
        ("loneliness", "wandeling samen"), ("mobility", "fietsles gegeven"), ("mobility", "rit naar de markt"),
        ("education", "huiswerkbegeleiding"), ("education", "Nederlandse conversatieles"), ("food", "samen gekookt"),
        ("housing", "hulp bij verhuis"), ("housing", "kraan hersteld"), ("work", "cv nagelezen"), ("health", "yogales"),
        ("culture", "gitaarles"), ("climate-energy", "energiescan van de woning"), ("poverty", "hulp met formulieren"),
        ("other", "computerhulp"), ("care", "tuin onderhouden"),
    ]
    static let spaceUses: [(String, String)] = [
        ("culture", "vergaderzaal voor repetitie"), ("education", "lokaal voor taalcafé"), ("work", "werkplek in de coworking"),
        ("climate-energy", "zaal voor infoavond isolatie"), ("loneliness", "ontmoetingsruimte voor seniorennamiddag"),
        ("food", "keuken voor kookworkshop"), ("health", "zaal voor bewegingsles"),
    ]
    /// The offers above that are an expert's advice, given by companies and associations in
    /// sessions (ask the expert).
    static let expertTitles: Set<String> = ["Vraag het de boekhouder", "Juridisch advies voor je vzw"]
    /// Offers: (side, kind, domain, title, text); requests likewise. Dutch mostly, some English.
    static let listingTexts: [(ListingSide, ExchangeKind, String, String, String)] = [
        (.offer, .time, "mobility", "Fietsles voor volwassenen", "Ik leer je fietsen op een rustig plein, ook met een elektrische fiets."),
        (.offer, .time, "education", "Huiswerkbegeleiding wiskunde", "Hulp bij wiskunde voor het middelbaar, na school."),
        (.offer, .time, "loneliness", "Koffie en een babbel", "Ik kom graag langs voor een kop koffie en een gesprek."),
        (.offer, .time, "climate-energy", "Energiescan van je woning", "Samen zoeken we waar je huis warmte verliest."),
        (.offer, .time, "other", "Computerhulp", "Hulp met je laptop, e-mail en smartphone."),
        (.offer, .space, "culture", "Vergaderzaal te leen", "Een zaal voor twintig personen, met beamer en koffie."),
        (.offer, .space, "work", "Werkplek in de coworking", "Een bureau met wifi, overdag vrij."),
        (.offer, .space, "food", "Keuken voor een kookworkshop", "Onze professionele keuken is vrij op maandag."),
        (.offer, .goods, "housing", "Boormachine uitlenen", "Klopboormachine met borenset, uit te lenen voor een week."),
        (.offer, .goods, "housing", "Ladder uitlenen", "Ladder van vier meter."),
        (.offer, .goods, "food", "Groenten uit de moestuin", "Courgettes en tomaten, zolang de voorraad strekt."),
        (.offer, .time, "culture", "Guitar lessons", "Beginner guitar lessons in English or Dutch."),
        (.offer, .time, "work", "Vraag het de boekhouder", "Een uur advies over btw, boekhouding en je eerste aangifte, voor wie start."),
        (.offer, .time, "work", "Juridisch advies voor je vzw", "Statuten, verzekering en vrijwilligers: een jurist beantwoordt je vragen."),
        (.request, .time, "care", "Hulp bij boodschappen", "Wie gaat mee naar de markt op zaterdag?"),
        (.request, .time, "housing", "Hulp bij verhuis", "Dozen dragen op de tweede verdieping."),
        (.request, .time, "poverty", "Hulp met formulieren", "Ik begrijp de brieven van de huurdienst niet goed."),
        (.request, .space, "education", "Zaal gezocht voor taalcafé", "Een ruimte voor vijftien nieuwkomers, op woensdagavond."),
        (.request, .space, "culture", "Repetitieruimte gezocht", "Voor ons koor, dinsdagavond."),
        (.request, .goods, "poverty", "Kinderkleding maat 110", "Winterjas en schoenen."),
        (.request, .time, "health", "Wandelmaatje gezocht", "Iemand om samen te wandelen na mijn operatie."),
        (.request, .time, "work", "Help with my CV", "Looking for someone to read my CV in Dutch."),
    ]

    static let goods: [(String, String)] = [
        ("housing", "boormachine uitgeleend"), ("housing", "ladder uitgeleend"), ("poverty", "kinderkleding gegeven"),
        ("food", "groenten uit de moestuin"), ("climate-energy", "energiemeter uitgeleend"), ("education", "schoolboeken gegeven"),
        ("mobility", "fietskar uitgeleend"), ("culture", "partituren gegeven"),
    ]

    /// Builds the community into a new ledger at `path`.
    public static func build(at path: String, options: DemoOptions) throws(StoreError) -> DemoSummary {
        var rng = SplitMix64(seed: options.seed)
        let totalDays = Int64(options.months) * 30 + Int64(options.months) / 2
        let startDay = options.endDay - totalDays
        let expectedExchanges = Int(Double(options.members) * 0.42 / 30 * Double(totalDays + 1) * 1.05)
        let loader = try BulkLoader(path: path, genesisAt: startDay.timestamp + 7 * 3600, expected: (options.members + 1, expectedExchanges))
        do {
            return try populate(loader, options: options, rng: &rng, startDay: startDay, totalDays: totalDays)
        } catch {
            loader.abandon()
            throw error
        }
    }

    private static func populate(_ loader: BulkLoader, options: DemoOptions, rng: inout SplitMix64, startDay: Day,
                                 totalDays: Int64) throws(StoreError) -> DemoSummary {

        // Registrations: most at the start, the rest spread over the first two thirds.
        let plan = memberPlan(count: max(options.members, 12), rng: &rng)
        var joinDay = [Int64](repeating: 0, count: plan.count)
        for i in plan.indices where i >= plan.count * 7 / 10 { joinDay[i] = Int64(rng.below(Int(totalDays * 2 / 3) + 1)) }
        let joinOrder = plan.indices.sorted { (joinDay[$0], $0) < (joinDay[$1], $1) }
        var nextJoin = 0

        // Who can be drawn for an exchange, by role; rebuilt only when someone joins or leaves.
        var persons = [MemberID](), lenders = [MemberID](), groups = [MemberID](), everyone = [MemberID]()
        func remove(_ id: MemberID) {
            persons.removeAll { $0 == id }; lenders.removeAll { $0 == id }; groups.removeAll { $0 == id }
        }
        var repairCafe: MemberID?
        var pending = [(expires: Int64, id: ExchangeID)]()
        var confirmedWithCredits = [ExchangeID]()
        var reversals = 0
        let perDay = Double(plan.count) * 0.42 / 30.0
        var carry = 0.0, listingCarry = 0.0, bookingCarry = 0.0, loanCarry = 0.0
        let openingWeek = SpaceHours.parseWeek("mon-fri 09:00-21:00; sat 10:00-17:00")!
        let expertWeek = SpaceHours.parseWeek("tue 14:00-17:00; thu 09:00-12:00")!
        var rooms = [(id: ListingID, owner: MemberID)]()
        var toSettle = [(booking: BookingInfo, owner: MemberID, booker: MemberID)]()
        var loansOut = [(id: LoanID, lender: MemberID, back: Day)]()
        var challenges = [ChallengeID]()
        var challengeMembers = [(challenge: ChallengeID, member: MemberID)]()
        var postedListings = [(id: ListingID, author: MemberID)]()

        for d in 0...totalDays {
            let day = startDay + d
            var clock = day.timestamp + 8 * 3600
            func tick() -> Int64 { clock += 7; return clock }

            while nextJoin < joinOrder.count, joinDay[joinOrder[nextJoin]] <= d {
                let m = plan[joinOrder[nextJoin]]
                if case .success = try loader.execute(.addMember(m), by: .coordinator, at: tick()) {
                    switch m.kind {
                    case .person: persons.append(m.id)
                    case .company, .municipality: lenders.append(m.id)
                    case .association: lenders.append(m.id); groups.append(m.id)
                    case .initiative: groups.append(m.id)
                    case .pool: break
                    }
                    everyone.append(m.id)
                    if repairCafe == nil, m.name.hasPrefix("Repair Café") { repairCafe = m.id }
                }
                nextJoin += 1
            }
            // Expire what nobody answered.
            while let p = pending.first, p.expires <= clock {
                pending.removeFirst()
                try loader.execute(.expire(p.id), by: .system, at: max(tick(), p.expires))
            }
            guard everyone.count >= 4, !persons.isEmpty else { continue }

            // Offers and requests: posted now and then, some withdrawn, some renewed.
            listingCarry += perDay * 0.1
            while listingCarry >= 1 {
                listingCarry -= 1
                let (side, kind, domain, title, text) = rng.pick(listingTexts)
                let expert = DemoCommunity.expertTitles.contains(title)
                let author = (kind == .space && side == .offer || expert) && !lenders.isEmpty ? rng.pick(lenders) : rng.pick(everyone)
                let draft = ListingDraft(side: side, author: author, kind: kind, domain: domain, title: title, text: text,
                                         availability: rng.chance(0.5) ? rng.pick(["weekends", "'s avonds", "op woensdag", "overdag"]) : nil)
                if case .success(let d) = try loader.execute(.postListing(draft), by: .member(author), at: tick()),
                   case .listingPosted(let posted) = d.event {
                    let l = posted.listing
                    postedListings.append((l.id, author))
                    // A room offered is a resource: capacity and opening hours.
                    if l.kind == .space, l.side == .offer,
                       case .success = try loader.execute(.setSpaceHours(l.id, SpaceHours(capacity: Int64(rng.pick([8, 12, 20, 40])), weekly: openingWeek)),
                                                          by: .member(author), at: tick()) {
                        rooms.append((l.id, author))
                    }
                    // An expert's advice is booked a session at a time.
                    if expert, case .success = try loader.execute(.setSpaceHours(l.id, SpaceHours(capacity: 1, weekly: expertWeek, session: 60)),
                                                                  by: .member(author), at: tick()) {}
                }
            }

            // Rooms are booked for tomorrow; a booking whose slot is over is settled as a space
            // exchange, a gift most of the time.
            for (booking, owner, booker) in toSettle where booking.date < day {
                let credits: Minutes = rng.chance(0.6) ? .zero : .hours(Int64(1 + rng.below(2)))
                let draft = ExchangeDraft(providers: [owner], receivers: [booker], kind: .space, domain: "culture", what: "zaal gebruikt",
                                          credits: credits, quantity: booking.end - booking.start, links: [.booking(booking.id)])
                if case .success(let dec) = try loader.execute(.propose(draft), by: .member(owner), at: tick()), let x = dec.event.exchangeID {
                    try loader.execute(.confirm(x), by: .member(booker), at: tick())
                }
            }
            toSettle.removeAll { $0.booking.date < day }
            if !rooms.isEmpty {
                bookingCarry += perDay * 0.04
                while bookingCarry >= 1 {
                    bookingCarry -= 1
                    let (room, owner) = rng.pick(rooms)
                    let booker = rng.chance(0.6) && !groups.isEmpty ? rng.pick(groups) : rng.pick(persons)
                    let start = Int64(9 * 60 + 60 * rng.below(8))
                    let draft = BookingDraft(offer: room, member: booker, date: day + 1, start: start, end: start + Int64(60 * (1 + rng.below(3))),
                                             people: Int64(2 + rng.below(10)))
                    if case .success(let dec) = try loader.execute(.book(draft), by: .member(booker), at: tick()), case .spaceBooked(let booked) = dec.event {
                        let b = booked.booking
                        if rng.chance(0.1) {
                            // Every other cancellation says why (by number: the random stream stays as it was).
                            try loader.execute(.cancelBooking(b.id, reason: b.id.number % 2 == 0 ? "Toch niet nodig." : nil), by: .member(booker), at: tick())
                        } else {
                            toSettle.append((b, owner, booker))
                        }
                    }
                }
            }

            // Every ten days the coordinator introduces a few requests to offers that may fit
            // (the rules refuse a closed listing or a pair introduced before; no matter).
            if d % 10 == 0, postedListings.count > 10 {
                for _ in 0..<3 {
                    let a = rng.pick(postedListings), b = rng.pick(postedListings)
                    guard a.id.side == .request, b.id.side == .offer, a.author != b.author else { continue }
                    _ = try loader.execute(.introduce(request: a.id, offer: b.id), by: .coordinator, at: tick())
                }
            }

            // Tools and ladders are lent for a week or three; most come back on time.
            loanCarry += perDay * 0.03
            while loanCarry >= 1 {
                loanCarry -= 1
                let lender = rng.chance(0.8) || groups.isEmpty ? rng.pick(persons) : rng.pick(groups), borrower = rng.pick(persons)
                let what = rng.pick(["boormachine", "ladder", "aanhangwagen", "naaimachine", "tent", "hogedrukreiniger"])
                if case .success(let dec) = try loader.execute(.lend(LoanDraft(lender: lender, borrower: borrower, what: what, due: day + Int64(7 + rng.below(15)))),
                                                               by: .member(lender), at: tick()), case .goodsLent(let lent) = dec.event {
                    let l = lent.loan
                    loansOut.append((l.id, lender, l.due + Int64(rng.below(5)) - 1))
                }
            }
            for (loan, lender, _) in loansOut.filter({ $0.back <= day }) where rng.chance(0.93) {
                try loader.execute(.returnLoan(loan), by: .member(lender), at: tick())
            }
            loansOut.removeAll { $0.back <= day }

            // Challenges: the municipality names two local problems; members of every kind join,
            // pledge, and some of their exchanges link the challenge.
            if d == totalDays / 4, let town = lenders.first(where: { loader.member($0)?.info.kind == .municipality }) {
                for (title, text, domains) in [("Eenzame senioren in Noord", "Wie gaat eens op bezoek, neemt mee naar de markt of opent een zaal?", ["loneliness", "care"]),
                                               ("Energie besparen in het stadhuis", "Ideeën en handen om het stadhuis zuiniger te maken.", ["climate-energy"])] {
                    if case .success(let dec) = try loader.execute(.postChallenge(author: town, title: title, text: text, domains: domains, ends: day + 600),
                                                                   by: .member(town), at: tick()), case .challengePosted(let posted) = dec.event {
                        let c = posted.challenge
                        challenges.append(c.id)
                        for who in (persons.shuffled(using: &rng).prefix(max(5, persons.count / 25)) + lenders.prefix(3) + groups.prefix(2)) {
                            if case .success = try loader.execute(.joinChallenge(c.id, member: who), by: .member(who), at: tick()) {
                                challengeMembers.append((c.id, who))
                                if rng.chance(0.5) {
                                    let kind: ExchangeKind = loader.member(who)?.info.kind == .person ? .time : .space
                                    try loader.execute(.pledge(Pledge(challenge: c.id, member: who, kind: kind, what: kind == .time ? "een uur per week" : "onze zaal")),
                                                       by: .member(who), at: tick())
                                }
                            }
                        }
                    }
                }
            }
            if d % 45 == 30, !postedListings.isEmpty {
                for _ in 0..<max(1, postedListings.count / 20) {
                    let (id, author) = rng.pick(postedListings)
                    let command: Command = rng.chance(0.5) ? .withdrawListing(id) : .renewListing(id, days: nil)
                    try loader.execute(command, by: .member(author), at: tick())
                }
            }

            carry += perDay
            while carry >= 1 {
                carry -= 1
                let roll = rng.below(100)
                var draft: ExchangeDraft
                if roll < 72 || lenders.isEmpty {
                    let (domain, what) = rng.pick(timeTasks)
                    let provider = rng.chance(0.85) || groups.isEmpty ? rng.pick(persons) : rng.pick(everyone)
                    let receiver = rng.chance(0.8) ? rng.pick(persons) : rng.pick(groups.isEmpty ? persons : groups)
                    let credits = Minutes(Int64(rng.pick([30, 45, 60, 60, 60, 90, 120, 120, 150, 180, 240])))
                    draft = ExchangeDraft(providers: [provider], receivers: [receiver], kind: .time, domain: domain, what: what, credits: credits)
                } else if roll < 86 {
                    let (domain, what) = rng.pick(spaceUses)
                    let gift = rng.chance(0.45)
                    let hours = Int64(rng.pick([1, 2, 2, 3, 4]))
                    let receiver = rng.chance(0.6) && !groups.isEmpty ? rng.pick(groups) : rng.pick(persons)
                    draft = ExchangeDraft(providers: [rng.pick(lenders)], receivers: [receiver], kind: .space, domain: domain, what: what,
                                          credits: gift ? .zero : Minutes(hours * 60), quantity: hours * 60)
                } else {
                    let (domain, what) = rng.pick(goods)
                    let gift = rng.chance(0.5)
                    let provider = rng.chance(0.5) ? rng.pick(persons) : rng.pick(lenders)
                    draft = ExchangeDraft(providers: [provider], receivers: [rng.pick(persons)], kind: .goods, domain: domain, what: what,
                                          credits: gift ? .zero : Minutes(Int64(rng.pick([15, 30, 30, 60]))), quantity: Int64(1 + rng.below(4)))
                }
                if rng.chance(0.15) { draft.date = day - Int64(rng.below(5)) }
                if !challengeMembers.isEmpty, rng.chance(0.05) {
                    let (ch, who) = rng.pick(challengeMembers)
                    if draft.kind == .time, who != draft.receivers[0], loader.member(who)?.info.kind == .person {
                        draft.providers = [who]
                        draft.links = [.challenge(ch)]
                    }
                }
                if draft.date.map({ $0 < startDay }) ?? false { draft.date = day }
                let flow = rng.below(100)
                if flow < 25 {
                    if case .success(let dec) = try loader.execute(.record(draft, reason: nil), by: .coordinator, at: tick()),
                       case .exchangeRecorded(let recorded) = dec.event, recorded.exchange.credits.value > 0 {
                        confirmedWithCredits.append(recorded.exchange.id)
                    }
                    continue
                }
                let proposerIsProvider = rng.chance(0.6)
                let proposer = proposerIsProvider ? draft.providers[0] : draft.receivers[0]
                let other = proposerIsProvider ? draft.receivers[0] : draft.providers[0]
                guard case .success(let dec) = try loader.execute(.propose(draft), by: .member(proposer), at: tick()),
                      let id = dec.event.exchangeID else { continue }
                switch flow {
                case 25..<90:
                    if case .success = try loader.execute(.confirm(id), by: .member(other), at: tick()), draft.credits.value > 0 {
                        confirmedWithCredits.append(id)
                    }
                // One refusal in three says why.
                case 90..<94: try loader.execute(.reject(id, reason: id.number % 3 == 0 ? "Geen tijd meer, sorry." : nil), by: .member(other), at: tick())
                case 94..<97: try loader.execute(.cancel(id, reason: id.number % 3 == 0 ? "Niet meer nodig." : nil), by: .member(proposer), at: tick())
                default:
                    if case .exchangeProposed(let proposed) = dec.event, let e = proposed.exchange.expiresAt { pending.append((e, id)) }
                }
            }

            // The repair café: once a month, one volunteer team helps several neighbours at once.
            if d % 30 == 15, let cafe = repairCafe, persons.count >= 8 {
                var receivers = [MemberID]()
                let n = 3 + rng.below(6)
                while receivers.count < n { let p = rng.pick(persons); if !receivers.contains(p) { receivers.append(p) } }
                let draft = ExchangeDraft(providers: [cafe], receivers: receivers, kind: .time, domain: "climate-energy",
                                          what: "Repair Café: toestellen hersteld", credits: .hours(1))
                if case .success(let dec) = try loader.execute(.propose(draft), by: .member(cafe), at: tick()), let id = dec.event.exchangeID {
                    for r in receivers { try loader.execute(.confirm(id), by: .member(r), at: tick()) }
                }
            }
            // The pool: those near their ceiling donate; the coordinator grants to those deep in debt.
            if d % 30 == 20 {
                let policy = loader.policy
                for id in everyone.shuffled(using: &rng).prefix(max(30, everyone.count / 5)) {
                    guard let m = loader.member(id), m.status == .active, let c = m.ceiling(under: policy) else { continue }
                    if (c - m.balance).value < 8 * 60, m.balance.value >= 4 * 60 {
                        try loader.execute(.donate(from: id, minutes: .hours(Int64(2 + rng.below(3)))), by: .member(id), at: tick())
                    } else if (m.balance - m.floor(under: policy)).value < 4 * 60 {
                        // The coordinator grants what the pool can give, keeping a reserve for departures.
                        let grant = Minutes.hours(Int64(2 + rng.below(3)))
                        if let pool = loader.member(poolID), (pool.balance - grant).value >= 4 * 60 {
                            try loader.execute(.grant(to: id, minutes: grant, reason: "steun bij een moeilijke periode"), by: .coordinator, at: tick())
                        }
                    }
                }
            }
            // Now and then the coordinator has something to do.
            if d == totalDays / 2 {
                var p = loader.policy
                p.limits[.municipality]?.floor = .hours(-150)
                try loader.execute(.setPolicy(p), by: .coordinator, at: tick())
                if let leaver = persons.last, case .success = try loader.execute(.leave(leaver), by: .coordinator, at: tick()) {
                    remove(leaver)
                }
            }
            if d == totalDays / 3, let s = persons.dropFirst(3).first {
                try loader.execute(.suspend(s), by: .coordinator, at: tick())
            }
            if d == totalDays / 3 + 45, let s = persons.dropFirst(3).first {
                try loader.execute(.reinstate(s), by: .coordinator, at: tick())
            }
            if reversals < 2, d == totalDays * 2 / 5 || d == totalDays * 4 / 5 {
                let reasons = ["Twee keer ingevoerd door een vergissing", "Verkeerde ontvanger genoteerd"]
                for id in confirmedWithCredits.suffix(20).reversed() {
                    if case .success = try loader.execute(.reverse(id, reason: reasons[reversals]), by: .coordinator, at: tick()) {
                        reversals += 1
                        break
                    }
                }
            }
        }
        let head = try loader.finish()
        return DemoSummary(members: everyone.count, events: Int(head.seq), refused: loader.refused, refusals: loader.refusals, head: head)
    }

    /// Who joins: every kind, names of the place, ids unique.
    static func memberPlan(count: Int, rng: inout SplitMix64) -> [MemberDraft] {
        var drafts = [MemberDraft]()
        // How many members already carry each slug: the next gets `-2`, `-3`, … (no slug ends
        // in a number followed by a dash-number of another slug, so these never collide).
        var taken = [String: Int]()
        func add(_ name: String, _ kind: MemberKind, domains: [String] = []) {
            let base = slug(name)
            let n = taken[base, default: 0] + 1
            taken[base] = n
            // A slug is a canonical handle by construction (letters, digits and single dashes).
            let id = MemberID(canonical: n == 1 ? base : "\(base)-\(n)")!
            let hood = rng.pick(neighbourhoods)
            drafts.append(MemberDraft(id: id, name: name, kind: kind, neighbourhood: hood, domains: domains))
        }
        add("Gemeente Kring", .municipality, domains: ["other"])
        add("Repair Café \(rng.pick(neighbourhoods))", .association, domains: ["climate-energy"])
        let municipal = max(2, count * 3 / 100), companies = max(2, count * 7 / 100)
        let associations = max(2, count * 8 / 100), initiatives = max(2, count * 5 / 100)
        let departments = ["Dienst Welzijn", "Dienst Cultuur", "Dienst Onderwijs", "Dienst Klimaat", "Dienst Mobiliteit"]
        for i in 0..<municipal - 1 {
            if i < departments.count { add(departments[i], .municipality) } else { add("\(rng.pick(firstNames)) \(rng.pick(lastNames)) (stad)", .municipality) }
        }
        for _ in 0..<companies { add("\(rng.pick(companyNames)) \(rng.pick(lastNames))", .company) }
        for _ in 0..<associations - 1 { add("\(rng.pick(associationNames)) \(rng.pick(neighbourhoods))", .association) }
        for _ in 0..<initiatives { add("\(rng.pick(initiativeNames)) \(rng.pick(neighbourhoods))", .initiative) }
        while drafts.count < count {
            let domains = Array(Policy.standard.domains.shuffled(using: &rng).prefix(1 + rng.below(3)))
            add("\(rng.pick(firstNames)) \(rng.pick(lastNames))", .person, domains: domains)
        }
        // Interleave kinds so the late joiners are of every kind too.
        return drafts.enumerated().sorted { ($0.offset * 7919) % drafts.count < ($1.offset * 7919) % drafts.count }.map(\.element)
    }

    /// `An Peeters` → `an-peeters`; accents folded, other characters dropped.
    public static func slug(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased().folding() {
            if ch.isASCII, ch.isLetter || ch.isNumber { out.append(ch) } else if !out.isEmpty, out.last != "-" { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(MemberID.maxLength))
    }
}

private let foldingTable: [Character: Character] = [
    "é": "e", "è": "e", "ë": "e", "ê": "e", "á": "a", "à": "a", "ä": "a", "â": "a", "ï": "i", "î": "i", "í": "i",
    "ö": "o", "ô": "o", "ó": "o", "ü": "u", "û": "u", "ú": "u", "ç": "c", "ñ": "n",
]

extension String {
    /// Latin letters without their accents (é → e), the ones Dutch and French names use.
    func folding() -> String {
        String(self.map { foldingTable[$0] ?? $0 })
    }
}
