import KringCore

/// What the writer knows of the ledger between its transactions: the members it read (with
/// their balances), members' last posting and exchange (the links of their chains) and, for
/// the pair cap, members' credits with each other member in the window. A write transaction
/// reads them here instead of in SQLite, and the projector keeps the entries true as it writes
/// (a posting moves a cached balance and the credits of its pair, and each row written becomes
/// its member's last; a member's status, limits or leaving drops the member; a reversal drops
/// the windows of its members).
///
/// Valid only while this connection is the ledger's only writer and its writes all commit:
/// `begin` empties it when another connection (the CLI beside a server) has committed since
/// (SQLite's `data_version` changed), or when the previous transaction did not reach `committed`
/// (it rolled back, so what it changed here never happened).
final class WriterCache {
    /// Most members kept; beyond it the cache starts afresh (a named limit: about 200 bytes a
    /// member).
    static let memberLimit = 50_000
    /// Most members' windows kept, likewise.
    static let windowLimit = 50_000

    private var members: [MemberID: MemberState] = [:]
    /// A member's credits with each other member (all of them: one absent had none) in
    /// confirmed exchanges on or after `since`.
    private var windows: [MemberID: (since: Day, with: [MemberID: Minutes])] = [:]
    /// Members' last posting and exchange, as the projector reads and writes them
    /// (`Projector.links`).
    var links: [MemberID: Projector.Links] = [:]
    private var dataVersion: Int64?
    private var open = false

    /// Starts a write transaction on `db` (after BEGIN IMMEDIATE, so no other writer can commit
    /// until it ends).
    func begin(_ db: Connection) throws(StoreError) {
        let version = try db.scalarInt("PRAGMA data_version")
        if open || version != dataVersion || members.count > WriterCache.memberLimit || windows.count > WriterCache.windowLimit
            || links.count > WriterCache.memberLimit {
            members.removeAll()
            windows.removeAll()
            links.removeAll()
        }
        dataVersion = version
        open = true
    }

    /// The transaction committed: what it changed here is the ledger's now.
    func committed() { open = false }

    func member(_ id: MemberID) -> MemberState? { members[id] }
    func keep(_ member: MemberState) { members[member.id] = member }
    func forget(_ id: MemberID) { members[id] = nil }

    /// A transfer was posted: moves the balances kept, and the credits of its pair when it is
    /// an exchange's (a reversal's makes its members' windows be read again).
    func posted(_ t: Transfer, kind: TransferKind, day: Day, givenFrom: Int64, givenTo: Int64) {
        move(t.from, by: -t.minutes, given: Minutes(givenFrom))
        move(t.to, by: t.minutes, given: Minutes(givenTo))
        switch kind {
        case .exchange:
            add(t.minutes, to: t.from, with: t.to, on: day)
            add(t.minutes, to: t.to, with: t.from, on: day)
        case .reversal:
            windows[t.from] = nil
            windows[t.to] = nil
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

    private func add(_ minutes: Minutes, to member: MemberID, with other: MemberID, on day: Day) {
        guard let since = windows[member]?.since, day >= since else { return }
        windows[member]!.with[other, default: .zero] += minutes
    }

    /// The credits of `x` and `y` on or after `since`, when either one's window is kept.
    func pairMinutes(_ x: MemberID, _ y: MemberID, since: Day) -> Minutes? {
        if let w = windows[x], w.since == since { return w.with[y] ?? .zero }
        if let w = windows[y], w.since == since { return w.with[x] ?? .zero }
        return nil
    }

    func keepWindow(of member: MemberID, since: Day, _ with: [MemberID: Minutes]) { windows[member] = (since, with) }
}
