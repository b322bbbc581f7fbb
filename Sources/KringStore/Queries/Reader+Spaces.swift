import KringCore

extension BookingRecord {
    public var json: JSON {
        .object(["id": .id(info.id), "offer": .id(info.offer), "member": .id(info.member), "date": .string(info.date.description),
                 "from": .string(SpaceHours.clock(info.start)), "to": .string(SpaceHours.clock(info.end)), "people": .int(info.people),
                 "cancelled": .bool(cancelled), "settled_by": .id(settledBy), "end_reason": endReason.map(JSON.string) ?? .null,
                 "question": info.question.map(JSON.string) ?? .null])
    }
}

extension Reader {
    /// A space's opening hours and capacity, once set.
    public func spaceHours(_ offer: ListingID) throws(StoreError) -> SpaceHours? { try SQLiteView.spaceHours(offer, db: db) }

    /// Most rooms a page lists.
    public static let maxRooms = 200

    /// The open space offers (or, for `.time`, experts' time offers) that have opening hours,
    /// newest first, with their hours; in one domain and one neighbourhood (the listing's
    /// place, else its author's) when given.
    public func rooms(kind: ExchangeKind = .space, domain: String? = nil, neighbourhood: String? = nil, today: Day) throws(StoreError) -> [(row: ListingRow, hours: SpaceHours)] {
        var out = [(row: ListingRow, hours: SpaceHours)]()
        for row in try listings(ListingFilter(side: .offer, kind: kind, domain: domain, neighbourhood: neighbourhood), today: today, limit: Reader.maxRooms) {
            if let hours = try spaceHours(row.record.info.id) { out.append((row, hours)) }
        }
        return out
    }

    /// A member's bookings from `from` on (also cancelled ones), soonest first.
    public func bookings(member: MemberID, from: Day) throws(StoreError) -> [BookingRecord] {
        try SQLiteView.bookingRows(db, """
            SELECT \(SQLiteView.bookingColumns) FROM bookings
            WHERE member = ?1 AND day >= ?2 ORDER BY day, start, num LIMIT ?3
            """, [.id(member), .int(from.number), .int(Int64(Reader.maxRows))])
    }

    /// The bookings of the spaces and sessions `owner` offers, from `from` on (also cancelled ones), soonest first.
    public func bookings(owner: MemberID, from: Day) throws(StoreError) -> [BookingRecord] {
        try SQLiteView.bookingRows(db, """
            SELECT \(SQLiteView.bookingColumns) FROM listings l JOIN bookings ON bookings.offer = l.num
            WHERE l.author = ?1 AND l.side = 'offer' AND bookings.day >= ?2 ORDER BY bookings.day, bookings.start, bookings.num LIMIT ?3
            """, [.id(owner), .int(from.number), .int(Int64(Reader.maxRows))])
    }

    /// One booking, or nil.
    public func booking(_ id: BookingID) throws(StoreError) -> BookingRecord? {
        try SQLiteView.bookingRows(db, "SELECT \(SQLiteView.bookingColumns) FROM bookings WHERE num = ?",
                                   [.int(id.number)]).first
    }

    /// A space's bookings, on one day or from a day on, in time order.
    public func bookings(of offer: ListingID, on day: Day? = nil, from: Day? = nil) throws(StoreError) -> [BookingRecord] {
        guard offer.side == .offer else { return [] }
        return try SQLiteView.bookingRows(db, """
            SELECT \(SQLiteView.bookingColumns) FROM bookings
            WHERE offer = ?1 AND (?2 IS NULL OR day = ?2) AND (?3 IS NULL OR day >= ?3) ORDER BY day, start, num LIMIT ?4
            """, [.int(offer.number), .int(day?.number), .int(from?.number), .int(Int64(Reader.maxRows))])
    }
}
