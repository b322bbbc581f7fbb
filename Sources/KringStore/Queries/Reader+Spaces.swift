import KringCore

extension BookingRecord {
    public var json: JSON {
        .object(["id": .id(info.id), "offer": .id(info.offer), "member": .id(info.member), "date": .string(info.date.description),
                 "from": .string(SpaceHours.clock(info.start)), "to": .string(SpaceHours.clock(info.end)), "people": .int(info.people),
                 "cancelled": .bool(cancelled), "settled_by": .id(settledBy), "end_reason": endReason.map(JSON.string) ?? .null])
    }
}

extension Reader {
    /// A space's opening hours and capacity, once set.
    public func spaceHours(_ offer: ListingID) throws(StoreError) -> SpaceHours? { try SQLiteView.spaceHours(offer, db: db) }

    /// A space's bookings, on one day or from a day on, in time order.
    public func bookings(of offer: ListingID, on day: Day? = nil, from: Day? = nil) throws(StoreError) -> [BookingRecord] {
        guard offer.side == .offer else { return [] }
        return try SQLiteView.bookingRows(db, """
            SELECT num, offer, member, day, start, end, people, state, settled_by, end_reason FROM bookings
            WHERE offer = ?1 AND (?2 IS NULL OR day = ?2) AND (?3 IS NULL OR day >= ?3) ORDER BY day, start, num LIMIT ?4
            """, [.int(offer.number), .int(day?.number), .int(from?.number), .int(Int64(Reader.maxRows))])
    }
}
