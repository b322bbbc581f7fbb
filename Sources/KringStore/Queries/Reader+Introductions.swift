import KringCore

/// An introduction as the pages and the API show it.
public struct IntroductionRow: Sendable {
    public let request: ListingID
    public let offer: ListingID
    /// The coordinator who made it.
    public let by: Actor
    public let seq: Int64
    /// When it was made (Unix seconds).
    public let at: Int64
    /// The first confirmed exchange linked to both listings, once there is one.
    public let exchange: ExchangeID?

    public var json: JSON {
        .object(["request": .id(request), "offer": .id(offer), "seq": .int(seq), "at": .int(at), "exchange": .id(exchange)])
    }
}

extension Reader {
    /// The confirmed exchanges `x` linking both the request and the offer of the introduction
    /// `i` (the tail of an SQL subquery over `introductions i`): the introduction became an
    /// exchange when there is one.
    private static let introductionExchanges = """
        FROM exchange_links a
          JOIN exchange_links b ON b.exchange = a.exchange AND b.target = 'of-' || i.offer
          JOIN exchanges x ON x.num = a.exchange AND x.state = 'confirmed'
        WHERE a.target = 'rq-' || i.request
        """
    /// Whether the introduction `i` became an exchange (an SQL expression; the statistics use it too).
    static let introductionBecame = "EXISTS (SELECT 1 \(introductionExchanges))"

    /// Most introductions a list shows.
    public static let maxIntroductions = 200

    /// The introductions, newest first: those where `member` wrote the request or the offer, or
    /// every one (for coordinators) when `member` is nil. An introduction "became an exchange"
    /// when a confirmed exchange links both its request and its offer.
    public func introductions(member: MemberID? = nil, limit: Int = Reader.maxIntroductions) throws(StoreError) -> [IntroductionRow] {
        let s = try db.cached("""
            SELECT i.request, i.offer, i.by, i.seq, j.ts,
                   (SELECT MIN(x.num) \(Reader.introductionExchanges))
            FROM introductions i JOIN journal j ON j.seq = i.seq
              JOIN listings r ON r.num = i.request JOIN listings o ON o.num = i.offer
            WHERE ?1 IS NULL OR r.author = ?1 OR o.author = ?1
            ORDER BY i.seq DESC LIMIT ?2
            """)
        defer { s.reset() }
        try s.bind([.id(member), .int(Int64(max(1, min(limit, Reader.maxIntroductions))))])
        var out = [IntroductionRow]()
        while try s.step() {
            guard let by = Actor(journal: try s.requiredText(2)) else { throw StoreError("the introduction at seq \(s.int(3)) names no actor", integrity: true) }
            out.append(IntroductionRow(request: ListingID(side: .request, uncheckedNumber: s.int(0)), offer: ListingID(side: .offer, uncheckedNumber: s.int(1)),
                                       by: by, seq: s.int(3), at: s.int(4), exchange: s.optionalInt(5).map(ExchangeID.init(uncheckedNumber:))))
        }
        return out
    }

    /// How many introductions were made, and how many became exchanges.
    public func introductionCounts() throws(StoreError) -> (made: Int64, became: Int64) {
        let s = try db.cached("SELECT COUNT(*), COALESCE(SUM(\(Reader.introductionBecame)), 0) FROM introductions i")
        defer { s.reset() }
        guard try s.step() else { return (0, 0) }
        return (s.int(0), s.int(1))
    }
}

extension Reader {
    /// The offers `request`'s author was introduced to.
    public func introducedOffers(for request: ListingID) throws(StoreError) -> Set<ListingID> {
        let s = try db.cached("SELECT offer FROM introductions WHERE request = ?")
        defer { s.reset() }
        try s.bind([.int(request.number)])
        var out = Set<ListingID>()
        while try s.step() { out.insert(ListingID(side: .offer, uncheckedNumber: s.int(0))) }
        return out
    }
}
