import KringCore

/// What the writer knows of the ledger between its transactions: the members it read (with
/// their balances) and the credits of the pairs it checked against the pair cap. A write
/// transaction reads a member instead from here, and the projector keeps the entries true as it
/// writes (a posting moves a cached balance; a member's status, limits or leaving drops the
/// entry; a reversal drops its pairs).
///
/// Valid only while this connection is the ledger's only writer and its writes all commit:
/// `begin` empties it when another connection (the CLI beside a server) has committed since
/// (SQLite's `data_version` changed), or when the previous transaction did not reach `committed`
/// (it rolled back, so what it changed here never happened).
final class WriterCache {
    /// Most members kept; beyond it the cache starts afresh (a named limit: about 200 bytes a
    /// member).
    static let memberLimit = 50_000
    /// Most pairs kept, likewise.
    static let pairLimit = 100_000

    /// A pair of members, in either order.
    struct Pair: Hashable {
        let a: MemberID, b: MemberID
        init(_ x: MemberID, _ y: MemberID) { (a, b) = x < y ? (x, y) : (y, x) }
    }

    private var members: [MemberID: MemberState] = [:]
    /// A pair's credits in confirmed exchanges on or after `since`.
    private var pairs: [Pair: (since: Day, minutes: Minutes)] = [:]
    private var dataVersion: Int64?
    private var open = false

    /// Starts a write transaction on `db` (after BEGIN IMMEDIATE, so no other writer can commit
    /// until it ends).
    func begin(_ db: Connection) throws(StoreError) {
        let version = try db.scalarInt("PRAGMA data_version")
        if open || version != dataVersion || members.count > WriterCache.memberLimit || pairs.count > WriterCache.pairLimit {
            members.removeAll()
            pairs.removeAll()
        }
        dataVersion = version
        open = true
    }

    /// The transaction committed: what it changed here is the ledger's now.
    func committed() { open = false }

    func member(_ id: MemberID) -> MemberState? { members[id] }
    func keep(_ member: MemberState) { members[member.id] = member }
    func forget(_ id: MemberID) { members[id] = nil }

    /// A transfer was posted: moves the balances kept, and the pair's credits when it is an
    /// exchange's (a reversal's makes its pair be read again).
    func posted(_ t: Transfer, kind: TransferKind, day: Day, givenFrom: Int64, givenTo: Int64) {
        move(t.from, by: -t.minutes, given: Minutes(givenFrom))
        move(t.to, by: t.minutes, given: Minutes(givenTo))
        let pair = Pair(t.from, t.to)
        switch kind {
        case .exchange:
            if let p = pairs[pair], day >= p.since { pairs[pair] = (p.since, p.minutes + t.minutes) }
        case .reversal:
            pairs[pair] = nil
        case .donation, .grant, .settlement:
            break
        }
    }

    private func move(_ id: MemberID, by minutes: Minutes, given: Minutes) {
        guard var m = members[id] else { return }
        m.balance += minutes
        m.given += given
        members[id] = m
    }

    func pairMinutes(_ x: MemberID, _ y: MemberID, since: Day) -> Minutes? {
        guard let p = pairs[Pair(x, y)], p.since == since else { return nil }
        return p.minutes
    }

    func keepPair(_ x: MemberID, _ y: MemberID, since: Day, minutes: Minutes) { pairs[Pair(x, y)] = (since, minutes) }
}
