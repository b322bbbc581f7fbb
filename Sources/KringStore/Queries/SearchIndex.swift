import CSQLite
import Foundation
import KringCore

/// The listings' full-text search in memory, with the results of the SQL search: the same
/// listings in the same order with the same bm25 ranks, found without scoring every hit
/// through SQLite (2 µs a hit there, and a common word hits a third of the listings).
///
/// It holds, for every row of `listings_fts` (each listing not withdrawn), its length in tokens
/// and its terms with their counts, taken from SQLite's own tokenizer (the same
/// `unicode61 remove_diacritics 2` on an in-memory FTS5 table), so the words are the index's
/// words exactly. A search then computes FTS5's bm25 for every hit (row count, average length,
/// each phrase's number of matching rows and the hit's frequencies, in FTS5's own order of
/// operations) in a few nanoseconds each, keeps the hits whose listing can be public by its own
/// fields (open, not expired, the filters on side, kind, domain, author and place), and asks
/// SQLite only for the best of them, in rank order, one point lookup each, which also checks
/// what depends on the author (active, their kind, their neighbourhood) until `limit` are found.
///
/// It follows the listings table by `updated_seq` (every change of a listing sets it) in the
/// searching reader's snapshot, so a search sees exactly the snapshot's listings. When another
/// reader has already taken it past this snapshot, or a word is not one token to SQLite's
/// tokenizer, the search runs in SQL as before (`nil`). A test holds both to the same results.
public final class SearchIndex: @unchecked Sendable {
    /// The tokenizer of `listings_fts` (schema 2); a test reads it back from the schema.
    public static let tokenizer = "unicode61 remove_diacritics 2"
    /// Listings tokenized in one round of the in-memory table.
    static let batch = 4_096

    /// A row of the full-text index: one version of a listing.
    struct Doc {
        var num: Int64
        var seq: Int64
        var length: Int32
        var expires: Int32
        var open: Bool
        var side: ListingSide
        var kind: ExchangeKind
        var domain: Int32
        var author: Int32
        /// The listing's own place, or -1 (then the author's neighbourhood is its place).
        var place: Int32
    }

    struct Posting {
        var doc: Int32
        var count: Int32
    }

    /// What the index holds at the listings' head `seq`.
    struct State {
        var seq: Int64 = 0
        /// The hash of the journal entry at `seq` (another ledger at the same path differs).
        var hash: [UInt8] = []
        var docs: [Doc] = []
        /// Whether each doc is the current version of a listing in the index (kept apart from
        /// `docs` so the scan over postings reads one byte per hit).
        var live: [Bool] = []
        var docOf: [Int64: Int32] = [:]
        /// Docs that are current versions, and replaced or withdrawn ones still held.
        var alive = 0
        var dead = 0
        var tokens = 0
        var terms: [[UInt8]] = []
        var termOf: [[UInt8]: Int32] = [:]
        /// Term numbers in byte order of their terms (prefixes are ranges).
        var sorted: [Int32] = []
        var postings: [[Posting]] = []
        var names: [String: Int32] = [:]

        mutating func name(_ s: String) -> Int32 {
            if let n = names[s] { return n }
            let n = Int32(names.count)
            names[s] = n
            return n
        }

        mutating func term(_ bytes: [UInt8]) -> Int32 {
            if let t = termOf[bytes] { return t }
            let t = Int32(terms.count)
            terms.append(bytes)
            termOf[bytes] = t
            postings.append([])
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if terms[Int(sorted[mid])].lexicographicallyPrecedes(bytes) { lo = mid + 1 } else { hi = mid }
            }
            sorted.insert(t, at: lo)
            return t
        }

        /// The terms that start with `prefix`.
        func range(_ prefix: [UInt8]) -> ArraySlice<Int32> {
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if terms[Int(sorted[mid])].lexicographicallyPrecedes(prefix) { lo = mid + 1 } else { hi = mid }
            }
            var end = lo
            while end < sorted.count, terms[Int(sorted[end])].starts(with: prefix) { end += 1 }
            return sorted[lo..<end]
        }
    }

    private let lock = NSLock()
    private var state = State()
    private var tokenizer: Tokenizer?
    /// Searches answered here, those that fell back to SQL, and how often every listing was
    /// read again (for tests and the bench).
    private var counts = (answered: 0, fellBack: 0, rebuilds: 0)
    public var answered: Int { lock.lock(); defer { lock.unlock() }; return counts.answered }
    public var fellBack: Int { lock.lock(); defer { lock.unlock() }; return counts.fellBack }
    public var rebuilds: Int { lock.lock(); defer { lock.unlock() }; return counts.rebuilds }

    public init() {}

    /// About how many bytes it holds: its arrays' elements (postings, docs, terms), not the
    /// dictionaries' and allocator's overhead.
    public var heldBytes: Int {
        lock.lock(); defer { lock.unlock() }
        let postings = state.postings.reduce(0) { $0 + $1.count } * MemoryLayout<Posting>.stride
        let terms = state.terms.reduce(0) { $0 + $1.count + 8 } + state.sorted.count * 4
        return postings + state.docs.count * (MemoryLayout<Doc>.stride + 1) + terms
    }

    /// Drops what it holds; the next search reads every listing again.
    public func reset() {
        lock.lock(); defer { lock.unlock() }
        state = State()
    }

    /// Brings the index to `reader`'s snapshot: every listing the first time, then those
    /// changed since (`kring serve` calls it once it listens, so the first search need not).
    public func follow(_ reader: Reader) throws(StoreError) {
        try reader.snapshot { () throws(StoreError) in
            lock.lock(); defer { lock.unlock() }
            _ = try followed(reader)
        }
    }

    /// The search of `words` (each matched as a prefix, all required) as `Reader.search` gives
    /// it, in `reader`'s snapshot; nil when it must run in SQL.
    func search(_ reader: Reader, words: [String], filter: ListingFilter, today: Day, limit: Int) throws(StoreError) -> [ListingRow]? {
        lock.lock(); defer { lock.unlock() }
        guard try followed(reader), let phrases = try tokens(words) else { counts.fellBack += 1; return nil }
        counts.answered += 1
        return try find(reader, phrases, filter: filter, today: today, limit: min(max(limit, 1), Reader.maxRows))
    }

    /// Brings the index to `reader`'s snapshot (in a read transaction); false when another
    /// reader has taken it past that snapshot already.
    private func followed(_ reader: Reader) throws(StoreError) -> Bool {
        let head = try reader.db.scalarInt("SELECT MAX(updated_seq) FROM listings") ?? 0
        if state.seq > 0, try reader.entryHash(at: state.seq) != state.hash { state = State(); counts.rebuilds += 1 }
        if head < state.seq { return false }
        if head > state.seq || state.docs.isEmpty { try catchUp(reader, to: head) }
        return true
    }

    // MARK: following the listings

    private func madeTokenizer() throws(StoreError) -> Tokenizer {
        if let tokenizer { return tokenizer }
        let made = try Tokenizer()
        tokenizer = made
        return made
    }

    private func catchUp(_ reader: Reader, to head: Int64) throws(StoreError) {
        if state.dead > 1_000 && state.dead > state.alive { state = State(); counts.rebuilds += 1 }
        let tokenizer = try madeTokenizer()
        // Taken out while it changes, so its arrays are changed in place rather than copied; a
        // catch-up that fails leaves an empty index, read afresh by the next search.
        var next = state
        state = State()
        let s = try reader.db.cached("""
            SELECT num, side, author, kind, domain, title, text, place, expires, state = 'active' AND fulfilled_by IS NULL, state = 'withdrawn', updated_seq
            FROM listings WHERE updated_seq > ?1 AND updated_seq <= ?2 ORDER BY updated_seq
            """)
        defer { s.reset() }
        try s.bind([.int(next.seq), .int(head)])
        var pending: [(doc: Int32, title: String, text: String)] = []
        func flush() throws(StoreError) {
            for (term, hits) in try tokenizer.tokenize(pending) {
                let t = Int(next.term(term))
                // (Each listing is one row of the query, so a doc tokenized here is still live;
                // a dead one would only be skipped.)
                for (doc, count) in hits where next.live[Int(doc)] {
                    next.postings[t].append(Posting(doc: Int32(doc), count: count))
                    next.docs[Int(doc)].length += count
                    next.tokens += Int(count)
                }
            }
            pending.removeAll(keepingCapacity: true)
        }
        while try s.step() {
            let num = s.int(0)
            if let old = next.docOf.removeValue(forKey: num) {
                next.live[Int(old)] = false
                next.alive -= 1
                next.dead += 1
                next.tokens -= Int(next.docs[Int(old)].length)
            }
            guard s.int(10) == 0 else { continue }
            let doc = Int32(next.docs.count)
            next.docs.append(Doc(num: num, seq: s.int(11), length: 0, expires: Int32(clamping: s.int(8)), open: s.int(9) != 0,
                                 side: try s.value(1), kind: try s.value(3), domain: next.name(s.text(4)), author: next.name(s.text(2)),
                                 place: s.isNull(7) ? -1 : next.name(s.text(7))))
            next.live.append(true)
            next.docOf[num] = doc
            next.alive += 1
            pending.append((doc, s.text(5), s.text(6)))
            if pending.count == SearchIndex.batch { try flush() }
        }
        try flush()
        next.seq = head
        next.hash = try reader.entryHash(at: head) ?? []
        state = next
    }

    /// Each word as the one token SQLite's tokenizer makes of it, or nil when it makes none or
    /// several (FTS5 would then match a phrase; the SQL search does that).
    private func tokens(_ words: [String]) throws(StoreError) -> [[UInt8]]? {
        var out = [[UInt8]]()
        for w in words {
            if w.utf8.allSatisfy({ $0 < 0x80 }) {
                // ASCII letters and digits are token characters; the tokenizer folds case.
                out.append(w.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
                continue
            }
            let made = try madeTokenizer().tokenize([(0, w, "")])
            guard made.count == 1, made[0].hits.count == 1, made[0].hits[0].count == 1 else { return nil }
            out.append(made[0].term)
        }
        return out
    }

    // MARK: searching

    /// A hit that can be public by its listing's own fields, with its bm25 rank.
    struct Hit {
        var rank: Double
        var seq: Int64
        var num: Int64
        /// The order of `Reader.search`: rank, then the most recently changed, then the highest number.
        static func before(_ a: Hit, _ b: Hit) -> Bool {
            a.rank < b.rank || (a.rank == b.rank && (a.seq > b.seq || (a.seq == b.seq && a.num > b.num)))
        }
    }

    private func find(_ reader: Reader, _ phrases: [[UInt8]], filter: ListingFilter, today: Day, limit: Int) throws(StoreError) -> [ListingRow] {
        let st = state
        let n = st.docs.count
        guard st.alive > 0 else { return [] }
        // Each phrase's frequency in each row, and how many rows it matches (its IDF).
        var freq = [[Int32]](repeating: [], count: phrases.count)
        var idf = [Double](repeating: 0, count: phrases.count)
        var hits: [Int32] = []
        var matched = [UInt8](repeating: 0, count: n)
        for (i, prefix) in phrases.enumerated() {
            var f = [Int32](repeating: 0, count: n)
            var rows = 0
            let step = UInt8(i)
            f.withUnsafeMutableBufferPointer { f in
                matched.withUnsafeMutableBufferPointer { matched in
                    st.live.withUnsafeBufferPointer { live in
                        for t in st.range(prefix) {
                            st.postings[Int(t)].withUnsafeBufferPointer { postings in
                                for p in postings {
                                    let d = Int(p.doc)
                                    guard live[d] else { continue }
                                    if f[d] == 0 {
                                        rows += 1
                                        if matched[d] == step { matched[d] = step + 1; if step == 0 { hits.append(p.doc) } }
                                    }
                                    f[d] += p.count
                                }
                            }
                        }
                    }
                }
            }
            // FTS5's bm25: log((N - n + 0.5) / (n + 0.5)), at least 1e-6.
            var x = log((Double(st.alive - rows) + 0.5) / (Double(rows) + 0.5))
            if x <= 0.0 { x = 1e-6 }
            idf[i] = x
            freq[i] = f
        }
        let all = UInt8(phrases.count)
        let avgdl = Double(st.tokens) / Double(st.alive)
        let k1 = 1.2, b = 0.75
        let side = filter.side, kind = filter.kind
        let domain = filter.domain.map { st.names[$0] ?? -2 }, author = filter.author.map { st.names[$0.description] ?? -2 }
        let place = filter.neighbourhood.map { st.names[$0] ?? -2 }
        let day = Int32(clamping: today.number)
        var found: [Hit] = []
        found.reserveCapacity(hits.count)
        for d in hits where matched[Int(d)] == all {
            let doc = st.docs[Int(d)]
            guard doc.open, doc.expires >= day else { continue }
            if let side, doc.side != side { continue }
            if let kind, doc.kind != kind { continue }
            if let domain, doc.domain != domain { continue }
            if let author, doc.author != author { continue }
            if let place, doc.place >= 0, doc.place != place { continue }
            let D = Double(doc.length)
            var score = 0.0
            for i in 0..<phrases.count {
                // FTS5 adds 1.0 per instance: a whole number, exact in a Double.
                let f = Double(freq[i][Int(d)])
                score += idf[i] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * D / avgdl)))
            }
            found.append(Hit(rank: -1.0 * score, seq: doc.seq, num: doc.num))
        }
        // The best first, checked in SQL in that order until `limit` pass; more are ranked only
        // when too few did.
        var out: [ListingRow] = []
        var checked = 0
        var wanted = limit + 16
        let s = try reader.db.cached("""
            SELECT \(Reader.listingColumns) FROM listings l JOIN members m ON m.id = l.author
            WHERE l.num = ?1 AND l.state = 'active' AND l.fulfilled_by IS NULL AND l.expires >= ?8 AND m.status = 'active' AND \(Reader.filterSQL)
            """)
        while out.count < limit && checked < found.count {
            let best = SearchIndex.smallest(found, wanted, by: Hit.before)
            for h in best[checked...] {
                s.reset()
                try reader.bindFilter(s, .int(h.num), filter, [.int(today.number)])
                if try s.step() {
                    out.append(try reader.row(s, rank: h.rank))
                    if out.count == limit { break }
                }
            }
            s.reset()
            checked = best.count
            wanted *= 4
        }
        return out
    }

    /// The `k` smallest of `xs` by `before`, sorted (a heap of `k`; all of them sorted when fewer).
    static func smallest<T>(_ xs: [T], _ k: Int, by before: (T, T) -> Bool) -> [T] {
        guard k < xs.count else { return xs.sorted(by: before) }
        // A max-heap of the k smallest seen: its root is the largest of them.
        var heap = Array(xs[0..<k])
        func down(_ i: Int) {
            var i = i
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < k, before(heap[m], heap[l]) { m = l }
                if r < k, before(heap[m], heap[r]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: k / 2 - 1, through: 0, by: -1) { down(i) }
        for x in xs[k...] where before(x, heap[0]) {
            heap[0] = x
            down(0)
        }
        return heap.sorted(by: before)
    }
}

/// SQLite's tokenizer of the listings, run on an in-memory FTS5 table and read back through
/// `fts5vocab`: the terms of a document are exactly those the ledger's index holds.
final class Tokenizer {
    private let db: Connection
    /// Whether the table holds no document (else the next round makes it afresh first, so no
    /// row of an earlier round can lend its terms to another).
    private var empty = true

    init() throws(StoreError) {
        db = try Connection(path: ":memory:")
        try db.execute("CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize = '\(SearchIndex.tokenizer)')")
        try db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    }

    /// The terms of the documents, each with the documents holding it and how often.
    func tokenize(_ docs: [(doc: Int32, title: String, text: String)]) throws(StoreError) -> [(term: [UInt8], hits: [(doc: Int32, count: Int32)])] {
        guard !docs.isEmpty else { return [] }
        if !empty {
            try db.execute("DROP TABLE t; CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize = '\(SearchIndex.tokenizer)')")
            empty = true
        }
        empty = false
        do {
            try db.run("BEGIN")
            let insert = try db.cached("INSERT INTO t(rowid, title, text) VALUES (?, ?, ?)")
            for d in docs { try insert.run(.int(Int64(d.doc)), .text(d.title), .text(d.text)) }
            try db.run("COMMIT")
        } catch {
            if db.inTransaction { try? db.run("ROLLBACK") }
            throw error
        }
        let s = try db.cached("SELECT term, doc FROM v")
        defer {
            s.reset()
            // Emptied for the next round: a few rows are deleted (their statements stay
            // compiled); many are dropped with the table, as emptying an FTS5 table row by row
            // costs as much as filling it.
            if docs.count <= 64 {
                empty = (try? db.run("DELETE FROM t")) != nil
            } else {
                empty = (try? db.execute("DROP TABLE t; CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize = '\(SearchIndex.tokenizer)')")) != nil
            }
        }
        var out: [(term: [UInt8], hits: [(doc: Int32, count: Int32)])] = []
        while try s.step() {
            let doc = Int32(truncatingIfNeeded: s.int(1))
            let n = Int(sqlite3_column_bytes(s.stmt, 0))
            let same = sqlite3_column_text(s.stmt, 0).map { p in
                out.last.map { $0.term.count == n && $0.term.withUnsafeBufferPointer { memcmp($0.baseAddress!, p, n) == 0 } } ?? false
            } ?? false
            if !same { out.append((s.textBytes(0), [])) }
            if let last = out[out.count - 1].hits.last, last.doc == doc {
                out[out.count - 1].hits[out[out.count - 1].hits.count - 1].count += 1
            } else {
                out[out.count - 1].hits.append((doc, 1))
            }
        }
        return out
    }
}
