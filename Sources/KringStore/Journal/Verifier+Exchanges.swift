import Foundation
import KringCore

/// The exchanges' rows against the replay: most of what `verify` compares at the end (at
/// 100,000 members, 2.6 million rows of exchanges and parties). On both cores a second
/// connection reads them while the journal is replayed, if it sees the very snapshot the replay
/// reads (`ExchangeRowPrints`), and folds every row into one fingerprint; at the end the replay
/// folds what each row must hold the same way, and the two are compared. When they differ, or
/// the second reader could not be used, the rows are compared one by one, which names the
/// exchange and the field.
extension Verifier {
    /// Compares the exchanges, their parties, links and consents; returns how many rows there
    /// are, and the prints of the parties' links to their members' previous exchanges.
    static func compareExchanges(_ db: Connection, state: LedgerState, exchangeSeq: ExchangeSeqs, exchangeFingerprints: ColumnArray<Int>,
                                 consents: ConsentTracker, reasons: ExchangeReasons, rowPrints: ExchangeRowPrints?,
                                 diverge: (Int64, String) -> Void) throws(StoreError) -> (count: Int, chains: ChainPrint) {
        // Reading every exchange maps the pages of the replay's spilled columns again: they are
        // given back as the comparison goes.
        func released(after i: Int) {
            guard i % 65_536 == 0 else { return }
            state.releaseResident()
            exchangeSeq.releaseResident()
            exchangeFingerprints.releaseResident()
            consents.releaseResident()
            reasons.releaseResident()
        }
        if let read = rowPrints?.wait(), read.count == state.exchangeCount, read.count == exchangeFingerprints.count {
            var all = Fingerprint()
            var complete = true
            for i in 0..<read.count {
                let id = ExchangeID(uncheckedNumber: Int64(i + 1))
                guard let x = state.exchangeStateAndCredits(id) else { complete = false; break }
                let reason = reasons.prints(of: id, state: x.state)
                all.int(Int64(ExchangeRows.print(description: exchangeFingerprints[i], state: x.state.rawValue, credits: x.credits.value,
                                                 endReason: reason.end, reversalReason: reason.reversal, updated: exchangeSeq[id],
                                                 consents: consents.sum(of: id))))
                released(after: i + 1)
            }
            if complete, all.value == read.print {
                rowPrints?.matched = true
                return (read.count, read.chains)
            }
        }
        var rows = try ExchangeRows(db)
        var seen = 0
        while let (partiesSeen, consentsSeen) = try rows.next() {
            seen += 1
            released(after: seen)
            let e = rows.row
            let id = ExchangeID(uncheckedNumber: e.int(0))
            guard let x = state.exchangeStateAndCredits(id) else { diverge(exchangeSeq[id] ?? 1, "exchange \(id) is not in the journal"); continue }
            let reason = reasons.prints(of: id, state: x.state)
            if e.text(1) != x.state.rawValue || e.int(2) != x.credits.value {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id) is \(e.text(1)) in the projection; the journal gives \(x.state.rawValue)")
            } else if Fingerprint.of(e, 3) != reason.end {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s reason differs from the journal")
            } else if Fingerprint.of(e, 14) != reason.reversal {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s reason for its reversal differs from the journal")
            } else if e.int(16) != exchangeSeq[id] {
                diverge(min(e.int(16), exchangeSeq[id] ?? 1), "exchange \(id) differs from the journal in its last entry (\(e.int(16)))")
            } else if id.number <= Int64(exchangeFingerprints.count) {
                if rows.descriptionPrint(partiesSeen) != exchangeFingerprints[Int(id.number - 1)] {
                    diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s description, parties or first entry differ from the journal")
                } else if consentsSeen != consents.sum(of: id) {
                    diverge(exchangeSeq[id] ?? 1, "exchange \(id)'s consents differ from the journal")
                }
            }
        }
        if let n = rows.partiesLeft { diverge(1, "the projection holds parties of exchange \(n), which is not in the journal") }
        if let n = rows.linksLeft { diverge(1, "the projection holds links of exchange \(n), which is not in the journal") }
        return (seen, rows.chains)
    }

    /// A chained table read again in key order, when the prints show a link or a last is wrong
    /// (`ChainPrint`): the first row whose link is not its member's previous row, and each
    /// member's last row. `sql` gives each row's key, member, link and entry (NULL when the
    /// table keeps none), in key order.
    static func rereadChains(_ db: Connection, _ sql: String) throws(StoreError)
        -> (broken: (key: Int64, seq: Int64?, member: String, names: Int64?, previous: Int64?)?, last: LastLinks) {
        var last = LastLinks()
        var broken: (key: Int64, seq: Int64?, member: String, names: Int64?, previous: Int64?)?
        let rows = try db.prepare(sql)
        while try rows.step() {
            let member = rows.columnBytes(1, text: true)
            if let previous = last.follow(member, to: rows.int(0), seq: rows.optionalInt(3)), rows.optionalInt(2) != previous, broken == nil {
                broken = (rows.int(0), rows.optionalInt(3), String(decoding: member, as: UTF8.self), rows.optionalInt(2), previous)
            }
        }
        return (broken, last)
    }
}

/// The exchanges' rows in number order, each with its parties and links, read beside it in key
/// order (nothing is sorted).
struct ExchangeRows {
    let row: Statement
    private let parties: Statement, links: Statement
    private var partyPending: Bool, linkPending: Bool
    /// The parties' links to their members' previous exchanges, as prints (`ChainPrint`).
    private(set) var chains = ChainPrint()

    init(_ db: Connection) throws(StoreError) {
        row = try db.prepare("""
            SELECT num, state, credits, end_reason, proposer, kind, domain, what, quantity, date, expires_at, recorded, reason, links, reversal_reason,
                   created_seq, updated_seq
            FROM exchanges ORDER BY num
            """)
        parties = try db.prepare("SELECT exchange, member, role, position, consented, prev FROM exchange_parties ORDER BY exchange")
        partyPending = try parties.step()
        links = try db.prepare("SELECT exchange, target FROM exchange_links ORDER BY exchange")
        linkPending = try links.step()
    }

    /// Steps `row` to the next exchange; gives its parties' and links' fingerprint and the sum
    /// of its consenting parties' fingerprints (as `ConsentTracker` sums them), or nil after the last.
    mutating func next() throws(StoreError) -> (parties: UnorderedFingerprint, consents: Int)? {
        guard try row.step() else { return nil }
        let num = row.int(0)
        var partiesSeen = UnorderedFingerprint(), consentsSeen = 0
        while partyPending, parties.int(0) <= num {
            if parties.int(0) == num {
                let member = parties.columnBytes(1, text: true)
                partiesSeen.add(role: parties.columnBytes(2, text: true), position: parties.int(3), member: member)
                chains.row(member, key: num, link: parties.optionalInt(5))
                switch parties.int(4) {
                case 0: break
                case 1: consentsSeen &+= ConsentTracker.print(member)
                default: consentsSeen &+= 1  // neither consented nor not: never the journal's sum
                }
            }
            partyPending = try parties.step()
        }
        while linkPending, links.int(0) <= num {
            if links.int(0) == num { partiesSeen.add(link: links.columnBytes(1, text: true)) }
            linkPending = try links.step()
        }
        return (partiesSeen, consentsSeen)
    }

    /// After the last row: the exchange of parties or links left over (whose exchange has no row).
    var partiesLeft: Int64? { partyPending ? parties.int(0) : nil }
    var linksLeft: Int64? { linkPending ? links.int(0) : nil }

    /// What the row, its parties and links hold as the proposing or recording entry gave them
    /// (`Verifier.fingerprint` computes it from the entry).
    func descriptionPrint(_ partiesSeen: UnorderedFingerprint) -> Int {
        var f = Fingerprint()
        f.int(row.int(15))
        f.text(row.isNull(4) ? nil : row.columnBytes(4, text: true))
        for col: Int32 in [5, 6, 7] { f.text(row.columnBytes(col, text: true)) }
        f.int(row.int(8))
        f.text(row.columnBytes(9, text: true))
        f.int(row.optionalInt(10))
        f.int(row.int(11))
        f.text(row.isNull(12) ? nil : row.columnBytes(12, text: true))
        f.text(row.columnBytes(13, text: true))
        partiesSeen.write(into: &f)
        return f.value
    }

    /// Everything the row holds: its description's print, its state and the entries since.
    func wholePrint(_ partiesSeen: UnorderedFingerprint, consents: Int) -> Int {
        Self.print(description: descriptionPrint(partiesSeen), state: row.text(1), credits: row.int(2), endReason: Fingerprint.of(row, 3),
                   reversalReason: Fingerprint.of(row, 14), updated: row.int(16), consents: consents)
    }

    /// The print of an exchange's row from its parts, from the row or from the replay (the
    /// reasons by their fingerprints, `Fingerprint.of`).
    static func print(description: Int, state: String, credits: Int64, endReason: Int, reversalReason: Int, updated: Int64?, consents: Int?) -> Int {
        var f = Fingerprint()
        f.int(Int64(description))
        f.text(state)
        f.int(credits)
        f.int(Int64(endReason))
        f.int(Int64(reversalReason))
        f.int(updated)
        f.int(consents.map(Int64.init))
        return f.value
    }
}

/// Each member's last row of a chained table among the rows read so far (its key, and its
/// entry where the table keeps one), by the member's bytes (`Verifier.rereadChains`).
struct LastLinks: Sendable {
    private var members = MemberNumbers()
    private var last = [(key: Int64, seq: Int64?)]()

    /// Moves `member`'s last row to `key`; gives the key of the one before (`.some(nil)` for
    /// none), or nil for an id no member can have (over 255 bytes).
    mutating func follow(_ member: UnsafeRawBufferPointer, to key: Int64, seq: Int64?) -> Int64?? {
        guard member.count < 256 else { return nil }
        let n = Int(members.append(member))
        if n == last.count { last.append((0, nil)) }
        defer { last[n] = (key, seq) }
        return .some(last[n].key == 0 ? nil : last[n].key)
    }

    /// `member`'s last row, or nil when they have none.
    func last(of member: MemberID) -> (key: Int64, seq: Int64?)? {
        members.number(member.handle).map { last[Int($0)] }
    }
}

/// The exchanges' rows read on a second connection and thread while the journal is replayed,
/// each row's print (`ExchangeRows.wholePrint`) folded in number order into one fingerprint (a
/// keyed hash: no memory per row), or nil when they cannot stand for the rows the replay's
/// snapshot holds (`SnapshotTwin`). Anything else (a write in between, an error) leaves the
/// comparison to the replay's connection, row by row.
final class ExchangeRowPrints: @unchecked Sendable {
    private let twin: SnapshotTwin
    private var prints: (count: Int, print: Int, chains: ChainPrint)?
    private let done = DispatchSemaphore(value: 0)
    private var waited = false
    private let lock = NSLock()
    private var cancelled = false
    /// Set when the rows' fingerprint equalled the replay's, so no row was read again.
    var matched = false

    /// Opens the second connection; call before the replay's read transaction starts.
    init?(path: String) {
        guard let twin = SnapshotTwin(path: path) else { return nil }
        self.twin = twin
    }

    /// Starts reading, on another thread, if this connection's snapshot is the replay's (whose
    /// read transaction must have read something by now); false if not.
    func start() -> Bool {
        guard twin.begin() else { return false }
        DispatchQueue.global().async { [self] in
            defer { twin.end(); done.signal() }
            guard var rows = try? ExchangeRows(twin.db) else { return }
            var all = Fingerprint()
            var expected: Int64 = 1
            do {
                while let (parties, consents) = try rows.next() {
                    // Rows numbered 1, 2, 3, … as the journal numbers exchanges; anything else
                    // is found row by row.
                    guard rows.row.int(0) == expected else { return }
                    if expected % 4_096 == 0, lock.withLock({ cancelled }) { return }
                    all.int(Int64(rows.wholePrint(parties, consents: consents)))
                    expected += 1
                }
            } catch {
                return
            }
            if rows.partiesLeft == nil, rows.linksLeft == nil { prints = (Int(expected - 1), all.value, rows.chains) }
        }
        return true
    }

    /// How many rows were read and their fingerprint, once read; nil if they cannot be used.
    /// Only after `start` gave true.
    func wait() -> (count: Int, print: Int, chains: ChainPrint)? {
        if !waited { done.wait() }
        waited = true
        return prints
    }

    /// Stops the reading if it still runs (the replay found a divergence first) and waits for
    /// its connection to be done.
    func finish() {
        lock.withLock { cancelled = true }
        _ = wait()
    }
}

/// The reason each exchange ended with, by fingerprint (`Fingerprint.of`), by number: the
/// reason given for a rejection or a cancellation, or for a reversal (an exchange has at most
/// one: only a proposal is rejected or cancelled, only a confirmed exchange reversed), or the
/// print of no text. The compact replay keeps no reasons; the checking threads print them.
/// A column spilled to a file, 8 bytes an exchange.
struct ExchangeReasons {
    private var prints = ColumnByNumber<Int>(memory: SpillFile())

    /// Records what `event` says of reasons (`print` is the entry's `textPrint`).
    mutating func record(_ event: Event, print: Int?) {
        switch event {
        case .exchangeProposed(let e): prints[e.exchange.id.number] = Fingerprint.noText
        case .exchangeRecorded(let e): prints[e.exchange.id.number] = Fingerprint.noText
        case .exchangeRejected(let e): if let print { prints[e.id.number] = print }
        case .exchangeCancelled(let e): if let print { prints[e.id.number] = print }
        case .exchangeReversed(let e): if let print { prints[e.id.number] = print }
        default: break
        }
    }

    /// The prints the row's two reasons must have, for an exchange in `state`.
    func prints(of id: ExchangeID, state: ExchangeState) -> (end: Int, reversal: Int) {
        let p = prints[id.number] ?? Fingerprint.noText
        return state == .reversed ? (Fingerprint.noText, p) : (p, Fingerprint.noText)
    }

    /// See `ColumnArray.releaseResident`.
    func releaseResident() { prints.releaseResident() }
}
