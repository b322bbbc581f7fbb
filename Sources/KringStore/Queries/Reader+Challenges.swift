import KringCore

/// What the coordinator sees of a challenge: who joined, by member kind and by policy domain of
/// interest; the pledges; the exchanges that link it; and which pledges became exchanges.
public struct ChallengeReport: Sendable {
    public let record: ChallengeRecord
    public let joinedByKind: [(kind: MemberKind, count: Int)]
    public let joinedByDomain: [(domain: String, count: Int)]
    public let pledges: [(pledge: Pledge, becameExchange: ExchangeID?)]
    public let exchanges: [ExchangeID]
    /// Offers and requests posted for it.
    public let listings: [ListingID]

    public var json: JSON {
        let i = record.info
        return .object([
            "id": .id(i.id), "author": .id(i.author), "title": .string(i.title), "text": .string(i.text),
            "domains": .array(i.domains.map(JSON.string)), "ends": .string(i.ends.description), "closed": .bool(record.closed),
            "members": .ids(record.members),
            "joined_by_kind": .object(Dictionary(uniqueKeysWithValues: joinedByKind.map { ($0.kind.rawValue, JSON.int(Int64($0.count))) })),
            "joined_by_domain": .object(Dictionary(uniqueKeysWithValues: joinedByDomain.map { ($0.domain, JSON.int(Int64($0.count))) })),
            "pledges": .array(pledges.map { p in
                .object(["member": .id(p.pledge.member), "kind": .string(p.pledge.kind.rawValue), "what": .string(p.pledge.what),
                         "became_exchange": .id(p.becameExchange)])
            }),
            "exchanges": .ids(exchanges), "listings": .ids(listings),
        ])
    }
}

extension Reader {
    /// Challenges, newest first; open ones only unless `all`.
    public func challenges(today: Day, all: Bool = false) throws(StoreError) -> [ChallengeRecord] {
        let s = try db.cached("SELECT num FROM challenges WHERE ?1 OR (state = 'open' AND ends >= ?2) ORDER BY num DESC LIMIT ?3")
        try s.bind([.int(all ? 1 : 0), .int(today.number), .int(Int64(Reader.maxRows))])
        var nums = [Int64]()
        while try s.step() { nums.append(s.int(0)) }
        s.reset()
        var out = [ChallengeRecord]()
        for n in nums { if let c = try SQLiteView.challenge(ChallengeID(uncheckedNumber: n), db: db) { out.append(c) } }
        return out
    }

    /// The coordinator's view of one challenge, or nil.
    public func challengeReport(_ id: ChallengeID) throws(StoreError) -> ChallengeReport? {
        guard let c = try SQLiteView.challenge(id, db: db) else { return nil }
        var byKind = [MemberKind: Int](), byDomain = [String: Int]()
        for m in c.members {
            guard let row = try member(m) else { continue }
            byKind[row.state.info.kind, default: 0] += 1
            for d in row.state.info.domains { byDomain[d, default: 0] += 1 }
        }
        // Exchanges that link the challenge and posted (confirmed, not reversed).
        var exchanges = [(id: ExchangeID, kind: ExchangeKind, parties: Set<MemberID>)]()
        let e = try db.cached("""
            SELECT e.num, e.kind FROM exchange_links l JOIN exchanges e ON e.num = l.exchange
            WHERE l.target = ? AND e.state = 'confirmed' ORDER BY e.num
            """)
        try e.bind([.id(id)])
        var found = [(Int64, ExchangeKind)]()
        while try e.step() { found.append((e.int(0), try e.value(1))) }
        e.reset()
        for (num, kind) in found {
            let p = try db.cached("SELECT member FROM exchange_parties WHERE exchange = ? AND role = 'provider'")
            try p.bind([.int(num)])
            var providers = Set<MemberID>()
            while try p.step() { providers.insert(try p.id(0)) }
            p.reset()
            exchanges.append((ExchangeID(uncheckedNumber: num), kind, providers))
        }
        // A pledge became an exchange when its member provided that kind in a linked exchange.
        let ps = try db.cached("SELECT member, kind, what FROM pledges WHERE challenge = ? ORDER BY id")
        try ps.bind([.int(id.number)])
        var pledges = [(Pledge, ExchangeID?)]()
        while try ps.step() {
            let pledge = Pledge(challenge: id, member: try ps.id(0), kind: try ps.value(1), what: try ps.requiredText(2))
            let x = exchanges.first { $0.kind == pledge.kind && $0.parties.contains(pledge.member) }
            pledges.append((pledge, x?.id))
        }
        ps.reset()
        let ls = try db.cached("SELECT num, side FROM listings WHERE challenge = ? ORDER BY num")
        try ls.bind([.id(id)])
        var listings = [ListingID]()
        while try ls.step() { listings.append(ListingID(side: try ls.value(1), uncheckedNumber: ls.int(0))) }
        ls.reset()
        return ChallengeReport(record: c, joinedByKind: byKind.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) },
                               joinedByDomain: byDomain.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                               pledges: pledges, exchanges: exchanges.map(\.id), listings: listings)
    }
}

extension ChallengeRecord {
    /// A challenge as lists show it: how many joined, not who.
    public var summaryJSON: JSON {
        .object(["id": .id(info.id), "title": .string(info.title), "author": .id(info.author),
                 "domains": .array(info.domains.map(JSON.string)), "ends": .string(info.ends.description),
                 "members": .int(Int64(members.count)), "closed": .bool(closed)])
    }
}
