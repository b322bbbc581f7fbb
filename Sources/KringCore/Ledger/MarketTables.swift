/// The loans of a `LedgerState`, by number (numbered 1, 2, 3, … in journal order, which the
/// replay checks).
///
/// Whole records, or, for a replay that only verifies (`compact`), each loan in a 40-byte row of
/// a `ColumnArray` whose memory the replay chooses (`verify` spills it to a file): the offer it
/// came from, the days lent, due and returned, and lender and borrower by their position among
/// the members (both must be members: `apply` checks it). A compact table keeps no description
/// (`what` is empty); `verify` holds the rows to a fingerprint of it instead.
struct LoanTable: Sendable {
    private var table: NumberedRows<LoanRecord, Row>

    struct Row: BitwiseCopyable {
        /// n for `of-n`, -n for `rq-n` (a journal under check may name a request), 0 for none.
        var offer: Int64
        var lent: Int64
        var due: Int64
        /// `Int64.min`: not returned.
        var returned: Int64
        var lender: Int32
        var borrower: Int32
    }

    init(compact: Bool, memory: ColumnMemory = ColumnMemory()) { table = NumberedRows(compact: compact, memory: memory) }

    var count: Int { table.count }

    /// The loan numbered `n`; a compact table's without its description.
    func get(_ n: Int64, members: MemberTable) -> LoanRecord? {
        guard table.compact else { return table.record(n) }
        guard let row = table.row(n) else { return nil }
        let offer = row.offer == 0 ? nil : ListingID(side: row.offer > 0 ? .offer : .request, uncheckedNumber: abs(row.offer))
        let info = LoanInfo(id: LoanID(uncheckedNumber: n), lender: members.values[Int(row.lender)].id, borrower: members.values[Int(row.borrower)].id,
                            what: "", offer: offer, lent: Day(row.lent), due: Day(row.due))
        return LoanRecord(info: info, returned: row.returned == .min ? nil : Day(row.returned))
    }

    /// Adds the next loan; its number must be the next one, and its lender and borrower members.
    mutating func append(_ record: LoanRecord, members: MemberTable) {
        let n = record.info.id.number
        guard table.compact else { table.append(record: record, number: n); return }
        guard let lender = members.index(forKey: record.info.lender), let borrower = members.index(forKey: record.info.borrower) else {
            preconditionFailure("loan \(record.info.id) between non-members")
        }
        let offer = record.info.offer.map { $0.side == .offer ? $0.number : -$0.number } ?? 0
        table.append(row: Row(offer: offer, lent: record.info.lent.number, due: record.info.due.number, returned: record.returned?.number ?? .min,
                              lender: Int32(lender), borrower: Int32(borrower)), number: n)
    }

    /// Marks the loan numbered `n` (which must be held) returned on `day`.
    mutating func setReturned(_ n: Int64, on day: Day) {
        if table.compact { table.updateRow(n) { $0.returned = day.number } } else { table.updateRecord(n) { $0.returned = day } }
    }

    /// After reading many rows: see `ColumnArray.releaseResident`.
    func releaseResident() { table.releaseResident() }
}

/// The bookings of a `LedgerState`, by number (numbered in journal order), and by space and day
/// for deciding.
///
/// Whole records, or, for a replay that only verifies (`compact`), each booking in a 56-byte row
/// of a `ColumnArray` (`verify` spills it to a file): its space, day, start, end, number of
/// people, the exchange that settled it, whether it is cancelled, and its member by position
/// among the members (`apply` checks it is one). A compact table keeps no question and no reason
/// (`verify` holds the rows to their fingerprints), and no index by day, which only deciding
/// reads.
struct BookingTable: Sendable {
    private var table: NumberedRows<BookingRecord, Row>
    /// Booking numbers by space offer and day (not compact).
    private var byDay: [Int64: [Int64: [Int64]]] = [:]

    struct Row: BitwiseCopyable {
        var offer: Int64
        var date: Int64
        var start: Int64
        var end: Int64
        var people: Int64
        /// 0: not settled.
        var settledBy: Int64
        var member: Int32
        var cancelled: Bool
    }

    init(compact: Bool, memory: ColumnMemory = ColumnMemory()) { table = NumberedRows(compact: compact, memory: memory) }

    var count: Int { table.count }

    /// The booking numbered `n`; a compact table's without its question and reason.
    func get(_ n: Int64, members: MemberTable) -> BookingRecord? {
        guard table.compact else { return table.record(n) }
        guard let row = table.row(n) else { return nil }
        let info = BookingInfo(id: BookingID(uncheckedNumber: n), offer: ListingID(side: .offer, uncheckedNumber: row.offer),
                               member: members.values[Int(row.member)].id, date: Day(row.date), start: row.start, end: row.end, people: row.people)
        return BookingRecord(info: info, cancelled: row.cancelled, settledBy: row.settledBy == 0 ? nil : ExchangeID(uncheckedNumber: row.settledBy))
    }

    /// The exchange that settled the booking numbered `n`, without building its record;
    /// `.some(nil)` for none, nil if there is no such booking.
    func settledBy(_ n: Int64) -> ExchangeID?? {
        guard table.compact else { return table.record(n).map(\.settledBy) }
        guard let s = table.row(n)?.settledBy else { return nil }
        return .some(s == 0 ? nil : ExchangeID(uncheckedNumber: s))
    }

    /// The bookings of a space on a day (not compact: a compact table cannot answer).
    func on(_ offer: ListingID, day: Day) -> [BookingRecord] {
        precondition(!table.compact, "a compact replay keeps no bookings by day")
        return (byDay[offer.number]?[day.number] ?? []).compactMap { table.record($0) }
    }

    /// Adds the next booking, of a space offer; its number must be the next one and its member
    /// a member.
    mutating func append(_ record: BookingRecord, members: MemberTable) {
        let b = record.info, n = b.id.number
        precondition(b.offer.side == .offer, "booking \(b.id) of a request")
        guard table.compact else {
            table.append(record: record, number: n)
            byDay[b.offer.number, default: [:]][b.date.number, default: []].append(n)
            return
        }
        guard let member = members.index(forKey: b.member) else { preconditionFailure("booking \(b.id) by a non-member") }
        table.append(row: Row(offer: b.offer.number, date: b.date.number, start: b.start, end: b.end, people: b.people,
                              settledBy: record.settledBy?.number ?? 0, member: Int32(member), cancelled: record.cancelled), number: n)
    }

    /// Marks the booking numbered `n` (which must be held) cancelled, for `reason`.
    mutating func cancel(_ n: Int64, reason: String?) {
        guard table.compact else {
            table.updateRecord(n) {
                $0.cancelled = true
                $0.endReason = reason
            }
            return
        }
        table.updateRow(n) { $0.cancelled = true }
    }

    /// Sets the exchange that settled the booking numbered `n` (which must be held).
    mutating func setSettled(_ n: Int64, by id: ExchangeID?) {
        if table.compact { table.updateRow(n) { $0.settledBy = id?.number ?? 0 } } else { table.updateRecord(n) { $0.settledBy = id } }
    }

    /// After reading many rows: see `ColumnArray.releaseResident`.
    func releaseResident() { table.releaseResident() }
}

/// The opening hours of spaces, by their offer's number.
///
/// Whole hours, or, for a replay that only verifies (`compact`), only each space's capacity, in
/// a `ColumnByNumber` by offer number (a slot for every listing up to the highest space, 9 bytes
/// padded to 16; `verify` spills it to a file and holds the rows' hours to a fingerprint).
struct SpaceTable: Sendable {
    let compact: Bool
    private var hours: [Int64: SpaceHours] = [:]
    private var rows: ColumnByNumber<Row>
    private(set) var count = 0

    struct Row: BitwiseCopyable {
        var capacity: Int64
        var set: Bool
    }

    init(compact: Bool, memory: ColumnMemory = ColumnMemory()) {
        self.compact = compact
        rows = ColumnByNumber(memory: memory)
    }

    /// The hours of the offer numbered `n`; a compact table's with the capacity alone (no
    /// weekly hours, closures or session).
    func get(_ n: Int64) -> SpaceHours? {
        guard compact else { return hours[n] }
        guard let row = rows[n], row.set else { return nil }
        return SpaceHours(capacity: row.capacity, weekly: [])
    }

    /// Sets the hours of the offer numbered `n` (at least 1).
    mutating func set(_ n: Int64, _ h: SpaceHours) {
        precondition(n >= 1, "hours of offer \(n)")
        guard compact else {
            if hours.updateValue(h, forKey: n) == nil { count += 1 }
            return
        }
        if rows[n]?.set != true { count += 1 }
        rows.set(n, Row(capacity: h.capacity, set: true), padding: Row(capacity: 0, set: false))
    }

    /// After reading many rows: see `ColumnArray.releaseResident`.
    func releaseResident() { rows.releaseResident() }
}
