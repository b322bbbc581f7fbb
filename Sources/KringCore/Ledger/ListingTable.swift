/// The listings of a `LedgerState`, by number (offers and requests share one counter, which the
/// replay checks, so the n-th listing is at n).
///
/// Whole records, or, for a replay that only verifies (`compact`), each listing in a 48-byte row
/// of a `ColumnArray`, whose memory the replay chooses (`verify` spills it to a file): its side,
/// kind, author (by position among the members), domain (by number among the domains seen),
/// expiry, version, challenge, whether it is withdrawn and the exchange that fulfilled it. A
/// compact replay keeps no title, text, place or availability anyway (`ListingInfo.replayed`).
/// That is instead of about 170 bytes and a share of an array grown by doubling.
struct ListingTable: Sendable {
    private var table: NumberedRows<ListingRecord, Row>
    /// The domains seen, by their number in `Row.domain` (the circle's few).
    private var domains: [String] = []
    private var domainNumbers: [String: Int32] = [:]
    /// Authors who are not members, by listing number (a journal being checked may say
    /// anything in an edit); their rows hold -1.
    private var strangers: [Int64: MemberID] = [:]

    struct Row: BitwiseCopyable {
        var expires: Int64
        var version: Int64
        /// 0: none (ids are positive).
        var challenge: Int64
        /// 0: not fulfilled.
        var fulfilledBy: Int64
        /// The author's position among the members; -1: in `strangers`.
        var author: Int32
        var domain: Int32
        var request: Bool
        var kind: ExchangeKind
        var withdrawn: Bool
    }

    /// A table; a compact one keeps its rows in `memory`.
    init(compact: Bool, memory: ColumnMemory = ColumnMemory()) { table = NumberedRows(compact: compact, memory: memory) }

    var count: Int { table.count }

    /// The listing numbered `n`; a compact table's without its title, text, place and availability.
    func get(_ n: Int64, members: MemberTable) -> ListingRecord? {
        guard table.compact else { return table.record(n) }
        guard let row = table.row(n) else { return nil }
        let author = row.author >= 0 ? members.values[Int(row.author)].id : strangers[n]!
        let info = ListingInfo(id: ListingID(side: row.request ? .request : .offer, uncheckedNumber: n), author: author, kind: row.kind,
                               domain: domains[Int(row.domain)], title: "", text: "", place: nil, availability: nil, expires: Day(row.expires),
                               version: row.version, challenge: row.challenge == 0 ? nil : ChallengeID(uncheckedNumber: row.challenge))
        return ListingRecord(info: info, withdrawn: row.withdrawn, fulfilledBy: row.fulfilledBy == 0 ? nil : ExchangeID(uncheckedNumber: row.fulfilledBy))
    }

    /// The exchange that fulfilled the listing numbered `n`, without building its record;
    /// `.some(nil)` for none, nil if there is no such listing.
    func fulfilledBy(_ n: Int64) -> ExchangeID?? {
        guard table.compact else { return table.record(n).map(\.fulfilledBy) }
        guard let f = table.row(n)?.fulfilledBy else { return nil }
        return .some(f == 0 ? nil : ExchangeID(uncheckedNumber: f))
    }

    /// After reading many rows: see `ColumnArray.releaseResident`.
    func releaseResident() { table.releaseResident() }

    /// Adds the next listing; its number must be the next one.
    mutating func append(_ record: ListingRecord, members: MemberTable) {
        let n = record.info.id.number
        guard table.compact else { table.append(record: record, number: n); return }
        let r = row(record, number: n, members: members)
        table.append(row: r, number: n)
    }

    /// Changes the listing numbered `n` (which must be held) in place.
    mutating func update(_ n: Int64, members: MemberTable, _ change: (inout ListingRecord) -> Void) {
        guard table.compact else { table.updateRecord(n, change); return }
        guard var r = get(n, members: members) else { preconditionFailure("update of listing \(n), which is not held") }
        change(&r)
        precondition(r.info.id.number == n, "a listing keeps its number")
        let new = row(r, number: n, members: members)
        table.updateRow(n) { $0 = new }
    }

    /// A compact row for the record numbered `n`.
    private mutating func row(_ r: ListingRecord, number n: Int64, members: MemberTable) -> Row {
        let author = members.index(forKey: r.info.author).map { Int32($0) } ?? -1
        if author < 0 { strangers[n] = r.info.author } else if !strangers.isEmpty { strangers[n] = nil }
        let domain: Int32
        if let known = domainNumbers[r.info.domain] {
            domain = known
        } else {
            domain = Int32(domains.count)
            domains.append(r.info.domain)
            domainNumbers[r.info.domain] = domain
        }
        return Row(expires: r.info.expires.number, version: r.info.version, challenge: r.info.challenge?.number ?? 0,
                   fulfilledBy: r.fulfilledBy?.number ?? 0, author: author, domain: domain, request: r.info.side == .request,
                   kind: r.info.kind, withdrawn: r.withdrawn)
    }
}
