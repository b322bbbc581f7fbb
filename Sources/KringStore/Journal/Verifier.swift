import Foundation
import KringCore

/// What `verify` found: how far it got and, if anything is wrong, the first divergence by
/// sequence number.
public struct VerifyReport: Sendable {
    public let entries: Int64
    public let head: LedgerHead?
    /// The lowest sequence number at which the journal or a projection diverges, and how.
    public let divergence: (seq: Int64, reason: String)?
    /// Entries written before typed identities that hold an id in a form no longer accepted
    /// (`ex-012`): read by canonicalising it, and listed here by sequence number.
    public let legacyIDs: [Int64]
    /// The exchanges' rows were read beside the replay, on a second connection, and matched it
    /// as a whole (`ExchangeRowPrints`), so they were not read again.
    var exchangesReadBeside = false

    public var ok: Bool { divergence == nil }

    /// Most sequence numbers of legacy entries a report lists (it counts them all).
    public static let maxLegacyListed = 1_000

    public var json: JSON {
        .object([
            "ok": .bool(ok), "entries": .int(entries), "ledger_head": head?.json ?? .null,
            "divergence": divergence.map { .object(["seq": .int($0.seq), "reason": .string($0.reason)]) } ?? .null,
            "legacy_ids": .object(["entries": .int(Int64(legacyIDs.count)), "seqs": .array(legacyIDs.prefix(VerifyReport.maxLegacyListed).map(JSON.int))]),
        ])
    }
}

/// Replays the journal from the genesis hash, recomputes every projection and balance, checks
/// the chain, the sequence, the canonical encoding, the postings and the zero sum, and reports
/// the first divergence.
public enum Verifier {
    /// Verifies the ledger at `path` (opened read-only, beside any writer). `parallel` hashes
    /// and decodes on other threads as well (every core: the CLI); without it everything runs
    /// on the calling thread, so a server verifying on request keeps its other cores for the
    /// requests it serves.
    public static func verify(path: String, parallel: Bool = true) throws(StoreError) -> VerifyReport {
        let reader = try Reader(path: path)
        return try verify(reader.db, parallel: parallel)
    }

    /// Entries hashed and decoded per hand-over to the second thread.
    static let chunkSize = 4_096
    /// Chunks being checked ahead of the one being applied.
    static let chunksInFlight = 3

    static func verify(_ db: Connection, parallel: Bool = true) throws(StoreError) -> VerifyReport {
        // On both cores, a second connection reads the exchanges' rows beside the replay, if it
        // sees the same snapshot (`ExchangeRowPrints`): it is opened before the replay's
        // transaction starts and checked after.
        let side = parallel ? ExchangeRowPrints(path: db.path) : nil
        // One read transaction: every query below sees the same snapshot, even while a writer
        // appends.
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        // The snapshot is taken at the transaction's first read, which must come before the
        // second connection checks it.
        if side != nil { _ = try db.scalarInt("SELECT COUNT(*) FROM policies") }
        let rowPrints = side.flatMap { $0.start() ? $0 : nil }
        defer { rowPrints?.finish() }
        return try verifySnapshot(db, parallel: parallel, rowPrints: rowPrints)
    }

    private static func verifySnapshot(_ db: Connection, parallel: Bool, rowPrints: ExchangeRowPrints?) throws(StoreError) -> VerifyReport {
        var divergences = [(seq: Int64, reason: String)]()
        func diverge(_ seq: Int64, _ reason: String) { divergences.append((seq, reason)) }

        var state = LedgerState.compactReplay(memory: { SpillFile() })
        // The entry that added each member, and the last about it that posts nothing.
        var memberSeqs = [MemberID: MemberSeqs]()
        // The entry that posted and the one that last changed each listing, booking, loan,
        // challenge and space (the statistics order and date by them, the search follows them).
        var lastChanges = LastChanges()
        // The texts the replay does not keep (listings', loans', bookings', spaces' hours), by
        // fingerprint.
        var words = ReplayWords()
        var exchangeSeq = ExchangeSeqs(memory: SpillFile())
        // What each exchange's row and parties must hold besides their state, by number.
        var exchangeFingerprints = ColumnArray<Int>(memory: SpillFile())
        // Who consented to each exchange, as its parties' rows must say.
        var consents = ConsentTracker()
        // The reason each exchange ended with, by fingerprint.
        var reasons = ExchangeReasons()
        // Every pledge, in journal order: its entry and the fingerprint of its row.
        var pledges = [(seq: Int64, print: Int)]()
        // The policy each entry set, as the policies table holds it.
        var policies = [(seq: Int64, payload: String)]()
        var legacy = [Int64]()
        var prev = SHA256.Digest(Chain.genesis)!
        var expected: Int64 = 1
        var lastTs: Int64 = .min
        var headSeen: (seq: Int64, ts: Int64)?

        // Postings and transfers are compared entry by entry, streaming beside the journal.
        let postings = try RowStream(db, "SELECT seq, member, minutes, day, transfer, id, prev FROM postings ORDER BY id")
        let transfers = try RowStream(db, "SELECT seq, payer, payee, minutes, day, kind, exchange, id FROM transfers ORDER BY id")

        // Other threads hash and decode chunks of entries while this one reads ahead and
        // applies the checked chunks, in order.
        let rows = try db.prepare("SELECT seq, ts, type, payload, prev_hash, hash FROM journal ORDER BY seq")
        var exhausted = false  // stepping a finished statement again would restart it
        func readChunk() throws(StoreError) -> JournalChunk {
            var chunk = JournalChunk()
            chunk.rows.reserveCapacity(chunkSize)
            chunk.bytes.reserveCapacity(chunkSize * 640)
            while !exhausted, chunk.rows.count < chunkSize {
                guard try rows.step() else { exhausted = true; break }
                let start = chunk.bytes.count
                let previous = rows.columnBytes(4, text: false)
                let at = Chain.appendMessage(to: &chunk.bytes, previous: previous, seq: rows.int(0), timestamp: rows.int(1),
                                             type: rows.columnBytes(2, text: true), payload: rows.columnBytes(3, text: true))
                chunk.rows.append(JournalChunk.Row(seq: rows.int(0), ts: rows.int(1), start: start, type: at.type, payload: at.payload,
                                                   end: chunk.bytes.count, previous: SHA256.Digest(previous),
                                                   hash: SHA256.Digest(rows.columnBytes(5, text: false))))
            }
            return chunk
        }
        // Up to `chunksInFlight` chunks are checked ahead, so both cores stay busy.
        var inFlight = [CheckedChunk]()
        func refill() throws(StoreError) {
            while inFlight.count < chunksInFlight {
                let chunk = try readChunk()
                if chunk.rows.isEmpty { return }
                inFlight.append(CheckedChunk(chunk, onAnotherThread: parallel))
            }
        }
        try refill()
        journal: while !inFlight.isEmpty {
            let current = inFlight.removeFirst()
            try refill()
            for entry in current.wait() {
                let seq = entry.seq, ts = entry.ts
                guard seq == expected else {
                    diverge(expected, seq > expected ? "entry \(expected) is missing (the next entry is \(seq))" : "entry \(seq) is out of order")
                    break journal
                }
                guard entry.previous == prev else { diverge(seq, "previous hash does not match entry \(seq - 1)'s hash"); break journal }
                if let problem = entry.problem { diverge(seq, problem); break journal }
                guard ts >= lastTs, let event = entry.event else { diverge(seq, "timestamp goes backwards"); break journal }
                if entry.legacy { legacy.append(seq) }
                let hash = entry.hash
                // The entry's day in the circle's zone: the policy in force before it (the
                // state keeps the zone's offsets, `ZoneDays`).
                let day = state.day(ts)
                let reopened = LastChanges.marked(by: event, in: state)
                do {
                    try state.apply(event, timestamp: ts)
                } catch {
                    diverge(seq, "event cannot follow the ledger: \(error)"); break journal
                }
                // The transfers and postings this entry must have produced, row by row: who, how
                // much, what kind, which exchange, on which day, and each posting's transfer.
                let posted = event.transfers
                if !posted.isEmpty || transfers.pending && transfers.seq <= seq || postings.pending && postings.seq <= seq {
                    let kind = event.transferKind
                    let matched = try transfers.matchTransfers(posted, kind: kind, day: day, at: seq)
                    if let (at, reason) = matched.divergence { diverge(at, reason); break journal }
                    if let (at, reason) = try postings.matchPostings(of: posted, transferIDs: matched.ids, day: day, at: seq) { diverge(at, reason); break journal }
                }
                if let x = event.exchangeID { exchangeSeq[x] = seq }
                if let f = entry.exchangeFingerprint { exchangeFingerprints.append(f) }
                words.record(event, entry)
                reasons.record(event, print: entry.textPrint)
                consents.apply(event)
                if case .challengePledged(let e) = event {
                    pledges.append((seq, pledgePrint(e.pledge.challenge.number, e.pledge.member.handle, e.pledge.kind.rawValue, e.pledge.what, seq)))
                }
                if case .ledgerCreated(let e) = event { policies.append((seq, e.policy.json.canonicalString)) }
                if case .policyChanged(let e) = event { policies.append((seq, e.policy.json.canonicalString)) }
                if case .memberAdded(let e) = event {
                    memberSeqs[e.member.id] = MemberSeqs(added: seq, last: seq)
                }
                lastChanges.record(event, seq: seq, state: state, reopened: reopened)
                if case .ledgerCreated = event { memberSeqs[poolID] = MemberSeqs(added: seq, last: seq) }
                if case .memberLimitsSet(let e) = event { memberSeqs[e.id]?.last = seq }
                if case .memberSuspended(let e) = event { memberSeqs[e.id]?.last = seq }
                if case .memberReinstated(let e) = event { memberSeqs[e.id]?.last = seq }
                if case .memberLeft(let e) = event {
                    memberSeqs[e.id]?.last = seq
                    for c in e.cancelled { exchangeSeq[c] = seq }
                }
                prev = hash
                lastTs = ts
                headSeen = (seq, ts)
                expected += 1
            }
            // The chunk's events are freed on another thread too, off this one's path.
            if parallel { DispatchQueue.global().async { withExtendedLifetime(current) {} } }
        }
        if divergences.isEmpty, postings.pending {
            diverge(postings.seq, "a posting at \(postings.seq) belongs to no journal entry")
        }
        if divergences.isEmpty, transfers.pending {
            diverge(transfers.seq, "a transfer at \(transfers.seq) belongs to no journal entry")
        }
        let entries = expected - 1

        if divergences.isEmpty {
            if state.balanceSum != .zero { diverge(entries, "balances sum to \(state.balanceSum.value) minutes, not zero") }
            // Every posting row matched its entry and none is left. When their links and the
            // accounts' last postings form each member's chain, the account names the posting
            // (and so the entry) that last moved the member's balance; otherwise the postings
            // are read again to name the first link that is wrong, and give each member's last.
            // One pass over the accounts gives their lasts to both chains' prints (the
            // parties' rows are read with the exchanges, below).
            var chains = postings.chains, accountsLastExchange = ChainPrint()
            let accounts = try db.prepare("SELECT member, last_posting, last_exchange FROM accounts")
            while try accounts.step() {
                chains.last(accounts.columnBytes(0, text: true), link: accounts.optionalInt(1))
                accountsLastExchange.last(accounts.columnBytes(0, text: true), link: accounts.optionalInt(2))
            }
            var lastPostings: LastLinks?
            if !chains.holds {
                let found = try rereadChains(db, "SELECT id, member, prev, seq FROM postings ORDER BY id")
                if let b = found.broken, let seq = b.seq {
                    diverge(seq, "posting \(b.key) names \(b.names.map { "posting \($0)" } ?? "no posting") as its member's previous; "
                                 + "the journal gives \(b.previous.map { "posting \($0)" } ?? "none")")
                }
                lastPostings = found.last
            }
            let accountLast = try db.prepare("SELECT p.seq FROM accounts a JOIN postings p ON p.id = a.last_posting WHERE a.member = ?")
            func lastSeq(_ id: MemberID) throws(StoreError) -> Int64 {
                var posted: Int64?
                if let lastPostings {
                    posted = lastPostings.last(of: id)?.seq
                } else {
                    accountLast.reset()
                    try accountLast.bind([.text(id.handle)])
                    posted = try accountLast.step() ? accountLast.int(0) : nil
                }
                return max(posted ?? 1, memberSeqs[id]?.last ?? 1)
            }
            try compareProjections(db, state: state, lastSeq: lastSeq, lastPostings: lastPostings, accountsLastExchange: accountsLastExchange, exchangeSeq: exchangeSeq, exchangeFingerprints: exchangeFingerprints,
                                   consents: consents, pledges: pledges, memberSeqs: memberSeqs, lastChanges: lastChanges, words: words, reasons: reasons, rowPrints: rowPrints, diverge: diverge)
            try comparePolicies(db, policies, diverge: diverge)
        }
        let first = divergences.min { $0.seq < $1.seq }
        var report = VerifyReport(entries: entries, head: headSeen.map { LedgerHead(seq: $0.seq, hash: prev.hexString, timestamp: $0.ts) }, divergence: first,
                                  legacyIDs: legacy)
        report.exchangesReadBeside = rowPrints?.matched ?? false
        // The replay's state holds every member, listing and exchange: on both cores it is
        // freed on another thread, off the answer's path.
        if parallel {
            let replayed = (consume state, consume exchangeFingerprints, consume exchangeSeq, consume consents, consume lastChanges, consume words, consume reasons)
            DispatchQueue.global().async { withExtendedLifetime(replayed) {} }
        }
        return report
    }

}

/// The last entry that changed each exchange, by number.
typealias ExchangeSeqs = ColumnByNumber<Int64>

extension ColumnByNumber<Int64> {
    subscript(id: ExchangeID) -> Int64? {
        get { self[id.number] }
        set { self[id.number] = newValue }
    }

    /// The lowest of them.
    var earliest: Int64? {
        var low: Int64?
        values.forEach { low = min(low ?? $0, $0) }
        return low
    }
}

/// Rows of postings or transfers, read in order beside the journal and matched to the entry
/// each belongs to, without making a string of each member.
final class RowStream {
    private let rows: Statement
    /// Whether a row is read and not matched yet.
    private(set) var pending = false

    init(_ db: Connection, _ sql: String) throws(StoreError) {
        rows = try db.prepare(sql)
        try advance()
    }

    private func advance() throws(StoreError) { pending = try rows.step() }

    /// The pending row's entry.
    var seq: Int64 { rows.int(0) }

    /// The postings' links to their members' previous postings, as prints (`ChainPrint`).
    private(set) var chains = ChainPrint()

    /// Matches the postings of `transfers` (the payer's minus, then the payee's plus, for each)
    /// at entry `seq`; nil when they are the rows there, else the first divergence.
    func matchPostings(of transfers: [Transfer], transferIDs: [Int64], day: Day, at seq: Int64) throws(StoreError) -> (Int64, String)? {
        if pending, self.seq < seq { return (self.seq, "a posting at \(self.seq) belongs to no journal entry") }
        var matched = 0
        /// Takes the next row if it is this posting.
        func matches(_ member: MemberID, _ minutes: Int64, _ transfer: Int64) throws(StoreError) -> Bool {
            guard pending, self.seq == seq, rows.textEquals(1, member.handle), rows.int(2) == minutes, rows.int(4) == transfer else { return false }
            guard rows.int(3) == day.number else { return false }
            chains.row(rows.columnBytes(1, text: true), key: rows.int(5), link: rows.optionalInt(6))
            try advance()
            matched += 1
            return true
        }
        for (t, id) in zip(transfers, transferIDs) {
            guard try matches(t.from, -t.minutes.value, id), try matches(t.to, t.minutes.value, id) else { break }
        }
        if matched == 2 * transfers.count, !(pending && self.seq == seq) { return nil }
        let want = transfers.flatMap { [($0.from, -$0.minutes.value), ($0.to, $0.minutes.value)] }
        // Say what the entry's rows are: the ones matched, and the rest of them.
        var found = want.prefix(matched).map { "\($0.0) \($0.1)" }
        while pending, self.seq <= seq {
            if self.seq < seq { return (self.seq, "a posting at \(self.seq) belongs to no journal entry") }
            found.append("\(rows.text(1)) \(rows.int(2))")
            try advance()
        }
        if found.count == want.count, found.elementsEqual(want.map { "\($0.0) \($0.1)" }) {
            return (seq, "postings differ from the journal entry in their day or transfer")
        }
        return (seq, "postings differ from the journal entry (expected \(want.map { "\($0.0) \($0.1)" }), found \(found))")
    }

    /// Matches `transfers` (payer, payee, minutes, and the entry's kind, exchange and day) at
    /// entry `seq`; gives the ids of the rows matched, for their postings.
    func matchTransfers(_ transfers: [Transfer], kind: (TransferKind, ExchangeID?)?, day: Day, at seq: Int64)
        throws(StoreError) -> (ids: [Int64], divergence: (Int64, String)?) {
        if pending, self.seq < seq { return ([], (self.seq, "a transfer at \(self.seq) belongs to no journal entry")) }
        var ids = [Int64]()
        var differ = false
        for t in transfers {
            if pending, self.seq == seq, rows.textEquals(1, t.from.handle), rows.textEquals(2, t.to.handle), rows.int(3) == t.minutes.value,
               let (k, exchange) = kind, rows.textEquals(5, k.rawValue), rows.optionalInt(6) == exchange?.number, rows.int(4) == day.number {
                ids.append(rows.int(7))
                try advance()
            } else {
                differ = true
                break
            }
        }
        if !differ, !(pending && self.seq == seq) { return (ids, nil) }
        while pending, self.seq <= seq {
            if self.seq < seq { return (ids, (self.seq, "a transfer at \(self.seq) belongs to no journal entry")) }
            try advance()
        }
        return (ids, (seq, "transfers differ from the journal entry"))
    }
}

/// The kind and exchange of the transfers an event posts.
extension Event {
    fileprivate var transferKind: (TransferKind, ExchangeID?)? {
        switch self {
        case .exchangeConfirmed(let e): (.exchange, e.id)
        case .exchangeRecorded(let e): (.exchange, e.exchange.id)
        case .exchangeReversed(let e): (.reversal, e.id)
        case .poolDonated: (.donation, nil)
        case .poolGranted: (.grant, nil)
        case .memberLeft: (.settlement, nil)
        default: nil
        }
    }
}

/// Journal rows read in one go, to be checked on another thread: each row's hash message (its
/// stored previous hash, `<seq>\n<ts>\n<type>\n`, its payload: `Chain.appendMessage`) laid end
/// to end in one buffer, with no array or string per row.
struct JournalChunk: Sendable {
    struct Row: Sendable {
        let seq: Int64
        let ts: Int64
        /// Where its message, type and payload start in `bytes`, and where it ends.
        let start: Int, type: Int, payload: Int, end: Int
        /// The stored previous hash and hash, when they are 32 bytes long.
        let previous: SHA256.Digest?
        let hash: SHA256.Digest?
    }

    var rows: [Row] = []
    var bytes: [UInt8] = []
}

/// A row whose own hash and encoding were checked: the decoded event, or what is wrong.
struct CheckedEntry: Sendable {
    let seq: Int64
    let ts: Int64
    let previous: SHA256.Digest?
    let hash: SHA256.Digest
    let event: Event?
    let problem: String?
    /// The entry was written before typed identities and holds an id in a legacy form.
    private(set) var legacy = false
    /// For an exchange proposed or recorded: the fingerprint of its row and parties (taken
    /// where the entry is checked, off the replaying thread).
    var exchangeFingerprint: Int?
    /// For a listing posted or edited: its words' fingerprints (a compact replay keeps no words).
    var listingWords: ListingWords?
    /// For a loan, booking, cancellation of a booking, setting of hours, or an exchange's
    /// rejection, cancellation or reversal: its text's fingerprint (`ReplayWords.textPrint`).
    var textPrint: Int?

    /// Checks that the stored hash covers the stored content (given the stored previous hash),
    /// and that the payload decodes to an event whose canonical encoding is those very bytes.
    init(_ row: JournalChunk.Row, in bytes: UnsafeBufferPointer<UInt8>) {
        (seq, ts, previous) = (row.seq, row.ts, row.previous)
        hash = SHA256.digest(UnsafeBufferPointer(rebasing: bytes[row.start..<row.end]))
        guard row.hash == hash else {
            event = nil
            problem = "hash does not match the entry's content"
            return
        }
        let typeBytes = UnsafeBufferPointer(rebasing: bytes[row.type..<(row.payload - 1)])
        let payloadBytes = UnsafeBufferPointer(rebasing: bytes[row.payload..<row.end])
        // The commonest entries, read straight from their bytes, canonical by construction.
        if let known = EventType(utf8: typeBytes), let (e, _) = Event.reading(type: known, canonicalPayload: payloadBytes) {
            event = e
            problem = nil
            return
        }
        let type = String(decoding: typeBytes, as: UTF8.self)
        let payload = Array(payloadBytes)
        guard let json = try? JSON.parse(payload) else {
            event = nil
            problem = "payload of \(type) is not JSON"
            return
        }
        // Who acted; entries written before the actor was journaled name nobody.
        let named = Event.journaledActor(in: json)
        if case .some(.none) = named {
            event = nil
            problem = "payload of \(type) names an actor that is not one"
            return
        }
        let actor = named ?? nil
        if let e = Event(type: type, payload: json), e.payloadBytes(actor: actor) == payload {
            event = e
            problem = nil
            return
        }
        // Written before typed identities? Read ids in their legacy form; the entry is then
        // exactly the canonical encoding of its event with those ids as they were written.
        var ids = IDReading(allowsLegacy: true)
        if let e = Event(type: type, payload: json, ids: &ids), !ids.legacy.isEmpty,
           CheckedEntry.restoring(ids.legacy, in: e.payloadBytes(actor: actor)) == payload {
            event = e
            problem = nil
            legacy = true
            return
        }
        event = nil
        problem = "payload is not a canonical \(type) event"
    }

    /// `payload` with each canonical id put back as the legacy text it was read from (whole
    /// JSON strings only); nil when one id was written in two forms in one entry.
    static func restoring(_ legacy: [(text: String, canonical: String)], in payload: [UInt8]) -> [UInt8]? {
        var back = [String: String]()
        for (text, canonical) in legacy {
            if let other = back[canonical], other != text { return nil }
            back[canonical] = text
        }
        var out = payload
        for (canonical, text) in back {
            out = replacing(Array("\"\(canonical)\"".utf8), with: Array("\"\(text)\"".utf8), in: out)
        }
        return out
    }

    private static func replacing(_ a: [UInt8], with b: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            if bytes[i] == a[0], i + a.count <= bytes.count, bytes[i..<(i + a.count)].elementsEqual(a) {
                out.append(contentsOf: b)
                i += a.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

/// A chunk of rows being checked on another thread (or at once, on this one); `wait()` returns
/// them checked, in order.
/// `@unchecked Sendable`: `result` is written once before `done` is signalled and read after.
final class CheckedChunk: @unchecked Sendable {
    private var result: [CheckedEntry] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ chunk: JournalChunk, onAnotherThread: Bool) {
        guard onAnotherThread else {
            result = CheckedChunk.check(chunk)
            done.signal()
            return
        }
        DispatchQueue.global().async { [self] in
            result = CheckedChunk.check(chunk)
            done.signal()
        }
    }

    private static func check(_ chunk: JournalChunk) -> [CheckedEntry] {
        chunk.bytes.withUnsafeBufferPointer { bytes in
            chunk.rows.map { row in
                var entry = CheckedEntry(row, in: bytes)
                switch entry.event {
                case .exchangeProposed(let e): entry.exchangeFingerprint = Verifier.fingerprint(e.exchange, recorded: false, reason: nil, seq: entry.seq)
                case .exchangeRecorded(let e): entry.exchangeFingerprint = Verifier.fingerprint(e.exchange, recorded: true, reason: e.reason, seq: entry.seq)
                case .listingPosted(let e): entry.listingWords = ListingWords(e.listing)
                case .listingEdited(let e): entry.listingWords = ListingWords(e.listing)
                case .some(let e): entry.textPrint = ReplayWords.textPrint(e)
                default: break
                }
                return entry
            }
        }
    }

    func wait() -> [CheckedEntry] {
        done.wait()
        return result
    }
}
