import KringCore

/// What the coordinator sees of a challenge: who joined, by member kind and by policy domain of
/// interest; the pledges; the exchanges that link it; and which pledges became exchanges.
public struct ChallengeReport: Sendable {
    public let record: ChallengeRecord
    public let joinedByKind: [(kind: MemberKind, count: Int)]
    public let joinedByDomain: [(domain: String, count: Int)]
    public let pledges: [(pledge: Pledge, becameExchange: String?)]
    public let exchanges: [String]
    /// Offers and requests posted for it.
    public let listings: [String]

    public var json: JSON {
        let i = record.info
        return .object([
            "id": .string(i.id), "author": .string(i.author), "title": .string(i.title), "text": .string(i.text),
            "domains": .array(i.domains.map(JSON.string)), "ends": .string(i.ends.description), "closed": .bool(record.closed),
            "members": .array(record.members.map(JSON.string)),
            "joined_by_kind": .object(Dictionary(uniqueKeysWithValues: joinedByKind.map { ($0.kind.rawValue, JSON.int(Int64($0.count))) })),
            "joined_by_domain": .object(Dictionary(uniqueKeysWithValues: joinedByDomain.map { ($0.domain, JSON.int(Int64($0.count))) })),
            "pledges": .array(pledges.map { p in
                .object(["member": .string(p.pledge.member), "kind": .string(p.pledge.kind.rawValue), "what": .string(p.pledge.what),
                         "became_exchange": p.becameExchange.map(JSON.string) ?? .null])
            }),
            "exchanges": .array(exchanges.map(JSON.string)), "listings": .array(listings.map(JSON.string)),
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
        for n in nums { if let c = try SQLiteView.challenge("ch-\(n)", db: db) { out.append(c) } }
        return out
    }

    /// The coordinator's view of one challenge, or nil.
    public func challengeReport(_ id: String) throws(StoreError) -> ChallengeReport? {
        guard let c = try SQLiteView.challenge(id, db: db) else { return nil }
        var byKind = [MemberKind: Int](), byDomain = [String: Int]()
        for m in c.members {
            guard let row = try member(m) else { continue }
            byKind[row.state.info.kind, default: 0] += 1
            for d in row.state.info.domains { byDomain[d, default: 0] += 1 }
        }
        // Exchanges that link the challenge and posted (confirmed, not reversed).
        var exchanges = [(id: String, kind: String, parties: Set<String>)]()
        let e = try db.cached("""
            SELECT e.num, e.kind FROM exchange_links l JOIN exchanges e ON e.num = l.exchange
            WHERE l.target = ? AND e.state = 'confirmed' ORDER BY e.num
            """)
        try e.bind([.text(id)])
        var found = [(Int64, String)]()
        while try e.step() { found.append((e.int(0), e.text(1))) }
        e.reset()
        for (num, kind) in found {
            let p = try db.cached("SELECT member FROM exchange_parties WHERE exchange = ? AND role = 'provider'")
            try p.bind([.int(num)])
            var providers = Set<String>()
            while try p.step() { providers.insert(p.text(0)) }
            p.reset()
            exchanges.append((ExchangeNumber.id(num), kind, providers))
        }
        // A pledge became an exchange when its member provided that kind in a linked exchange.
        let ps = try db.cached("SELECT member, kind, what FROM pledges WHERE challenge = ? ORDER BY id")
        try ps.bind([.int(ChallengeInfo.number(id))])
        var pledges = [(Pledge, String?)]()
        while try ps.step() {
            let pledge = Pledge(challenge: id, member: ps.text(0), kind: ExchangeKind(rawValue: ps.text(1)) ?? .time, what: ps.text(2))
            let x = exchanges.first { $0.kind == pledge.kind.rawValue && $0.parties.contains(pledge.member) }
            pledges.append((pledge, x?.id))
        }
        ps.reset()
        let ls = try db.cached("SELECT num, side FROM listings WHERE challenge = ? ORDER BY num")
        try ls.bind([.text(id)])
        var listings = [String]()
        while try ls.step() { listings.append("\(ls.text(1) == "offer" ? "of-" : "rq-")\(ls.int(0))") }
        ls.reset()
        return ChallengeReport(record: c, joinedByKind: byKind.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) },
                               joinedByDomain: byDomain.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                               pledges: pledges, exchanges: exchanges.map(\.id), listings: listings)
    }
}

extension ChallengeRecord {
    /// A challenge as lists show it: how many joined, not who.
    public var summaryJSON: JSON {
        .object(["id": .string(info.id), "title": .string(info.title), "author": .string(info.author),
                 "domains": .array(info.domains.map(JSON.string)), "ends": .string(info.ends.description),
                 "members": .int(Int64(members.count)), "closed": .bool(closed)])
    }
}
