import Foundation
import KringCore

/// What `verify` found: how far it got and, if anything is wrong, the first divergence by
/// sequence number.
public struct VerifyReport: Sendable {
    public let entries: Int64
    public let head: LedgerHead?
    /// The lowest sequence number at which the journal or a projection diverges, and how.
    public let divergence: (seq: Int64, reason: String)?

    public var ok: Bool { divergence == nil }

    public var json: JSON {
        .object([
            "ok": .bool(ok), "entries": .int(entries), "ledger_head": head?.json ?? .null,
            "divergence": divergence.map { .object(["seq": .int($0.seq), "reason": .string($0.reason)]) } ?? .null,
        ])
    }
}

/// Replays the journal from the genesis hash, recomputes every projection and balance, checks
/// the chain, the sequence, the canonical encoding, the postings and the zero sum, and reports
/// the first divergence.
public enum Verifier {
    /// Verifies the ledger at `path` (opened read-only, beside any writer).
    public static func verify(path: String) throws(StoreError) -> VerifyReport {
        let reader = try Reader(path: path)
        return try verify(reader.db)
    }

    static func verify(_ db: Connection) throws(StoreError) -> VerifyReport {
        var divergences = [(seq: Int64, reason: String)]()
        func diverge(_ seq: Int64, _ reason: String) { divergences.append((seq, reason)) }

        var state = LedgerState(tracksPairs: false)
        var lastSeqOf = [String: Int64]()
        var exchangeSeq = [String: Int64]()
        var prev = Chain.genesis
        var expected: Int64 = 1
        var lastTs: Int64 = .min
        var headSeen: LedgerHead?

        // Postings are compared entry by entry, streaming beside the journal.
        let postings = try db.prepare("SELECT seq, member, minutes FROM postings ORDER BY id")
        var pendingPosting: (seq: Int64, member: String, minutes: Int64)?
        func nextPosting() throws(StoreError) -> (Int64, String, Int64)? {
            guard try postings.step() else { return nil }
            return (postings.int(0), postings.text(1), postings.int(2))
        }
        pendingPosting = try nextPosting()
        let transfers = try db.prepare("SELECT seq, payer, payee, minutes FROM transfers ORDER BY id")
        var pendingTransfer: (seq: Int64, payer: String, payee: String, minutes: Int64)?
        func nextTransfer() throws(StoreError) -> (Int64, String, String, Int64)? {
            guard try transfers.step() else { return nil }
            return (transfers.int(0), transfers.text(1), transfers.text(2), transfers.int(3))
        }
        pendingTransfer = try nextTransfer()

        let rows = try db.prepare("SELECT seq, ts, type, payload, prev_hash, hash FROM journal ORDER BY seq")
        journal: while try rows.step() {
            let seq = rows.int(0), ts = rows.int(1), type = rows.text(2)
            let payload = rows.textBytes(3), storedPrev = rows.blob(4), storedHash = rows.blob(5)
            guard seq == expected else {
                diverge(expected, seq > expected ? "entry \(expected) is missing (the next entry is \(seq))" : "entry \(seq) is out of order")
                break
            }
            guard storedPrev == prev else { diverge(seq, "previous hash does not match entry \(seq - 1)'s hash"); break }
            let hash = Chain.hash(previous: prev, seq: seq, timestamp: ts, type: type, payload: payload)
            guard hash == storedHash else { diverge(seq, "hash does not match the entry's content"); break }
            guard ts >= lastTs else { diverge(seq, "timestamp goes backwards"); break }
            // Decoding and re-encoding must give back the stored bytes exactly: the payload is canonical.
            guard let json = try? JSON.parse(payload), let event = Event(type: type, payload: json), event.payloadBytes == payload else {
                diverge(seq, "payload is not a canonical \(type) event"); break
            }
            do {
                try state.apply(event, timestamp: ts)
            } catch {
                diverge(seq, "event cannot follow the ledger: \(error)"); break
            }
            // The postings this entry must have produced.
            var want = [(String, Int64)]()
            for t in event.transfers {
                want.append((t.from, -t.minutes.value))
                want.append((t.to, t.minutes.value))
                lastSeqOf[t.from] = seq
                lastSeqOf[t.to] = seq
            }
            if want.reduce(0, { $0 + $1.1 }) != 0 { diverge(seq, "postings do not sum to zero"); break }
            var got = [(String, Int64)]()
            while let p = pendingPosting, p.seq <= seq {
                if p.seq < seq { diverge(p.seq, "a posting at \(p.seq) belongs to no journal entry"); break journal }
                got.append((p.member, p.minutes))
                pendingPosting = try nextPosting()
            }
            if got.count != want.count || zip(got, want).contains(where: { $0.0 != $1.0 || $0.1 != $1.1 }) {
                diverge(seq, "postings differ from the journal entry (expected \(want.map { "\($0.0) \($0.1)" }), found \(got.map { "\($0.0) \($0.1)" }))")
                break
            }
            var gotTransfers = [Transfer]()
            while let t = pendingTransfer, t.seq <= seq {
                if t.seq < seq { diverge(t.seq, "a transfer at \(t.seq) belongs to no journal entry"); break journal }
                gotTransfers.append(Transfer(from: t.payer, to: t.payee, minutes: Minutes(t.minutes)))
                pendingTransfer = try nextTransfer()
            }
            if gotTransfers != event.transfers { diverge(seq, "transfers differ from the journal entry"); break }
            if let x = event.exchangeID { exchangeSeq[x] = seq }
            if case .memberAdded(let m) = event { lastSeqOf[m.id] = max(lastSeqOf[m.id] ?? 0, seq) }
            if case .memberLimitsSet(let id, _, _) = event { lastSeqOf[id] = seq }
            if case .memberSuspended(let id) = event { lastSeqOf[id] = seq }
            if case .memberReinstated(let id) = event { lastSeqOf[id] = seq }
            if case .memberLeft(let id, _, let cancelled) = event {
                lastSeqOf[id] = seq
                for c in cancelled { exchangeSeq[c] = seq }
            }
            prev = hash
            lastTs = ts
            headSeen = LedgerHead(seq: seq, hash: hash.hexString, timestamp: ts)
            expected += 1
        }
        if divergences.isEmpty, let p = pendingPosting {
            diverge(p.seq, "a posting at \(p.seq) belongs to no journal entry")
        }
        if divergences.isEmpty, let t = pendingTransfer {
            diverge(t.seq, "a transfer at \(t.seq) belongs to no journal entry")
        }
        let entries = expected - 1

        if divergences.isEmpty {
            if state.balanceSum != .zero { diverge(entries, "balances sum to \(state.balanceSum.value) minutes, not zero") }
            try compareProjections(db, state: state, lastSeqOf: lastSeqOf, exchangeSeq: exchangeSeq, diverge: diverge)
        }
        let first = divergences.min { $0.seq < $1.seq }
        return VerifyReport(entries: entries, head: headSeen, divergence: first)
    }

    private static func compareProjections(_ db: Connection, state: LedgerState, lastSeqOf: [String: Int64], exchangeSeq: [String: Int64],
                                           diverge: (Int64, String) -> Void) throws(StoreError) {
        // Accounts and members.
        var seen = Set<String>()
        let s = try db.prepare("""
            SELECT m.id, m.status, m.kind, m.floor_override, m.ceiling_override, a.balance, a.given,
                   (SELECT COALESCE(SUM(p.minutes), 0) FROM postings p WHERE p.member = m.id)
            FROM members m LEFT JOIN accounts a ON a.member = m.id
            """)
        while try s.step() {
            let id = s.text(0)
            seen.insert(id)
            let at = lastSeqOf[id] ?? 1
            guard let m = state.member(id) else { diverge(at, "member \(id) is in the projection but not in the journal"); continue }
            if s.text(1) != m.status.rawValue || s.text(2) != m.info.kind.rawValue
                || s.optionalInt(3) != m.floorOverride?.value || s.optionalInt(4) != m.ceilingOverride?.value {
                diverge(at, "member \(id) differs from the journal")
            }
            if s.isNull(5) || s.int(5) != m.balance.value {
                diverge(at, "balance of \(id) is \(s.optionalInt(5).map { String($0) } ?? "missing") minutes; the journal gives \(m.balance.value)")
            }
            if s.int(7) != m.balance.value { diverge(at, "postings of \(id) sum to \(s.int(7)) minutes; the journal gives \(m.balance.value)") }
            if s.int(6) != m.given.value { diverge(at, "given credits of \(id) differ from the journal") }
        }
        for id in state.memberOrder where !seen.contains(id) { diverge(lastSeqOf[id] ?? 1, "member \(id) is missing from the projection") }

        // Exchanges.
        var exSeen = 0
        let e = try db.prepare("SELECT num, state, credits FROM exchanges")
        while try e.step() {
            let id = ExchangeNumber.id(e.int(0))
            exSeen += 1
            guard let x = state.exchange(id) else { diverge(exchangeSeq[id] ?? 1, "exchange \(id) is not in the journal"); continue }
            if e.text(1) != x.state.rawValue || e.int(2) != x.info.credits.value {
                diverge(exchangeSeq[id] ?? 1, "exchange \(id) is \(e.text(1)) in the projection; the journal gives \(x.state.rawValue)")
            }
        }
        if exSeen != state.exchanges.count {
            let missing = state.exchanges.keys.compactMap { exchangeSeq[$0] }.min() ?? 1
            diverge(missing, "the projection holds \(exSeen) exchanges; the journal \(state.exchanges.count)")
        }
    }
}
