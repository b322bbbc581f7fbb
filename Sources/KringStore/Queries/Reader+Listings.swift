import Foundation
import KringCore

/// An offer or request as listings and search show it (no contact data: members' contact
/// data is never in a listing).
public struct ListingRow: Sendable {
    public let record: ListingRecord
    /// The author's kind and neighbourhood, for filters and display.
    public let authorKind: MemberKind
    public let authorNeighbourhood: String?
    /// Search relevance (bm25; lower is better), when it came from a search.
    public let rank: Double?
    /// The journal entry of its latest change (the cursor of listing pages).
    public let updatedSeq: Int64

    /// The place shown: the listing's own, else the author's neighbourhood.
    public var place: String? { record.info.place ?? authorNeighbourhood }

    public var json: JSON {
        let i = record.info
        return .object([
            "id": .id(i.id), "side": .string(i.side.rawValue), "author": .id(i.author), "author_kind": .string(authorKind.rawValue),
            "kind": .string(i.kind.rawValue), "domain": .string(i.domain), "title": .string(i.title), "text": .string(i.text),
            "place": place.map(JSON.string) ?? .null, "availability": i.availability.map(JSON.string) ?? .null,
            "expires": .string(i.expires.description), "version": .int(i.version), "withdrawn": .bool(record.withdrawn),
            "fulfilled_by": .id(record.fulfilledBy), "challenge": .id(i.challenge),
        ])
    }
}

/// Filters of listings and search.
public struct ListingFilter: Sendable {
    public var side: ListingSide?
    public var kind: ExchangeKind?
    public var domain: String?
    public var neighbourhood: String?
    public var memberKind: MemberKind?
    public var author: MemberID?

    public init(side: ListingSide? = nil, kind: ExchangeKind? = nil, domain: String? = nil, neighbourhood: String? = nil,
                memberKind: MemberKind? = nil, author: MemberID? = nil) {
        self.side = side
        self.kind = kind
        self.domain = domain
        self.neighbourhood = neighbourhood
        self.memberKind = memberKind
        self.author = author
    }
}

extension Reader {
    /// Most words a search uses.
    public static let maxSearchWords = 16
    /// Longest search text accepted.
    public static let maxSearchLength = 500

    /// One listing (open or not), or nil.
    public func listing(_ id: ListingID) throws(StoreError) -> ListingRow? {
        // One row with its author's kind and place, as lists read them.
        let s = try db.cached("SELECT \(Reader.listingColumns) FROM listings l JOIN members m ON m.id = l.author WHERE l.num = ?")
        defer { s.reset() }
        try s.bind([.int(id.number)])
        guard try s.step() else { return nil }
        let r = try row(s, rank: nil)
        return r.record.info.id == id ? r : nil
    }

    static let listingColumns = """
        l.num, l.side, l.author, l.kind, l.domain, l.title, l.text, l.place, l.availability, l.expires, l.version, l.state, m.kind, m.neighbourhood,
        l.fulfilled_by, l.challenge, l.updated_seq
        """
    static let filterSQL = """
        (?2 IS NULL OR l.side = ?2) AND (?3 IS NULL OR l.kind = ?3) AND (?4 IS NULL OR l.domain = ?4)
        AND (?5 IS NULL OR COALESCE(l.place, m.neighbourhood) = ?5) AND (?6 IS NULL OR m.kind = ?6) AND (?7 IS NULL OR l.author = ?7)
        """

    func row(_ s: Statement, rank: Double?) throws(StoreError) -> ListingRow {
        let info = ListingInfo(id: ListingID(side: try s.value(1), uncheckedNumber: s.int(0)), author: try s.id(2), kind: try s.value(3),
                               domain: try s.requiredText(4), title: try s.requiredText(5), text: try s.requiredText(6), place: s.optionalText(7),
                               availability: s.optionalText(8), expires: Day(s.int(9)), version: s.int(10), challenge: try s.optionalID(15))
        let record = ListingRecord(info: info, withdrawn: try s.value(11, ListingState.self) == .withdrawn,
                                   fulfilledBy: s.optionalInt(14).map(ExchangeID.init(uncheckedNumber:)))
        return ListingRow(record: record, authorKind: try s.value(12), authorNeighbourhood: s.optionalText(13), rank: rank, updatedSeq: s.int(16))
    }

    func bindFilter(_ s: Statement, _ first: SQLValue, _ f: ListingFilter, _ rest: [SQLValue]) throws(StoreError) {
        try s.bind([first, .text(f.side?.rawValue), .text(f.kind?.rawValue), .text(f.domain), .text(f.neighbourhood), .text(f.memberKind?.rawValue), .id(f.author)] + rest)
    }

    /// Listings, newest first. By default only the public ones: open on `today` (not withdrawn,
    /// not fulfilled, not expired) by members who are active; `history` shows every listing.
    public func listings(_ filter: ListingFilter, today: Day, history: Bool = false, before: Int64? = nil, limit: Int = 1_000) throws(StoreError) -> [ListingRow] {
        let s = try db.cached("""
            SELECT \(Reader.listingColumns) FROM listings l JOIN members m ON m.id = l.author
            WHERE (?1 OR (l.state = 'active' AND l.fulfilled_by IS NULL AND l.expires >= ?8 AND m.status = 'active')) AND \(Reader.filterSQL)
              AND (?10 IS NULL OR l.updated_seq < ?10)
            ORDER BY l.updated_seq DESC LIMIT ?9
            """)
        defer { s.reset() }
        try bindFilter(s, .int(history ? 1 : 0), filter, [.int(today.number), .int(Int64(max(0, min(limit, Reader.maxRows)))), .int(before)])
        var out = [ListingRow]()
        while try s.step() { out.append(try row(s, rank: nil)) }
        return out
    }

    /// Full-text search over the public listings' titles and texts, insensitive to case and
    /// accents, ranked by relevance (bm25), then recency, then the newest listing. Every word of
    /// `text` must match (as a word or the start of one); FTS syntax typed by a user is taken as
    /// plain words. With `index`, the search is answered from memory where it can be (the same
    /// results, see `SearchIndex`), else in SQL.
    /// - Throws: `RuleViolation(.inputInvalid)` when the text has no word or is too long.
    public func search(_ text: String, filter: ListingFilter, today: Day, limit: Int = 50, index: SearchIndex? = nil) throws -> [ListingRow] {
        let words = try Reader.searchWords(text)
        if let index {
            // The index only makes the search faster: if it fails, it is dropped (the next search
            // reads every listing again) and the SQL search below answers, or reports the error.
            do {
                if let rows = try snapshot({ () throws(StoreError) in try index.search(self, words: words, filter: filter, today: today, limit: limit) }) { return rows }
            } catch {
                index.reset()
            }
        }
        let s = try db.cached("""
            SELECT \(Reader.listingColumns), bm25(listings_fts) AS rank
            FROM listings_fts JOIN listings l ON l.num = listings_fts.rowid JOIN members m ON m.id = l.author
            WHERE listings_fts MATCH ?1 AND l.state = 'active' AND l.fulfilled_by IS NULL AND l.expires >= ?8 AND m.status = 'active' AND \(Reader.filterSQL)
            ORDER BY rank, l.updated_seq DESC, l.num DESC LIMIT ?9
            """)
        defer { s.reset() }
        try bindFilter(s, .text(Reader.ftsQuery(words)), filter, [.int(today.number), .int(Int64(min(max(limit, 1), Reader.maxRows)))])
        var out = [ListingRow]()
        while try s.step() {
            out.append(try row(s, rank: sqlite3Double(s, 17)))
        }
        return out
    }

    /// The words of a search: runs of letters and digits. Quotes, operators (AND, OR, NOT,
    /// NEAR), column filters, `*`, `^` and parentheses typed by a user are separators or plain
    /// words, never syntax.
    public static func searchWords(_ text: String) throws(RuleViolation) -> [String] {
        guard text.count <= maxSearchLength else {
            throw RuleViolation(.inputInvalid, .textTooLong(.q, most: maxSearchLength, got: text.count), field: .q)
        }
        var words = [String]()
        var current = ""
        for ch in text {
            if ch.isLetter || ch.isNumber { current.append(ch) } else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        guard !words.isEmpty else { throw RuleViolation(.inputInvalid, .searchNoWord, field: .q) }
        guard words.count <= maxSearchWords else { throw RuleViolation(.inputInvalid, .searchTooManyWords(most: maxSearchWords, got: words.count), field: .q) }
        return words
    }

    /// An FTS5 query that can only mean "all these words": each word quoted as a string and
    /// matched as a prefix.
    public static func ftsQuery(_ words: [String]) -> String {
        words.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// The FTS5 query of a search's text (`searchWords`, then `ftsQuery`).
    public static func ftsQuery(_ text: String) throws(RuleViolation) -> String {
        ftsQuery(try searchWords(text))
    }
}

extension ListingRow {
    /// The listing as the matcher sees it.
    public var matchListing: MatchListing { MatchListing(info: record.info, authorKind: authorKind, place: place) }
}

extension MatchSuggestion {
    public var json: JSON {
        .object(["offer": .id(offer.info.id), "title": .string(offer.info.title), "author": .id(offer.info.author),
                 "domain": .string(offer.info.domain), "score": .string(String(format: "%.1f", score)), "cross_domain": .bool(crossDomain),
                 "reason": .string(reason)])
    }
}

extension RequestMatches {
    public var json: JSON {
        .object(["request": .id(request.info.id), "title": .string(request.info.title), "author": .id(request.info.author),
                 "domain": .string(request.info.domain), "suggestions": .array(suggestions.map(\.json))])
    }
}

extension Reader {
    /// Suggestions of open offers for every open request, for one (which must be open), or for
    /// the open requests of one author (only theirs are matched).
    public func matches(request: ListingID? = nil, author: MemberID? = nil, today: Day) throws -> [RequestMatches] {
        let open = try listings(ListingFilter(), today: today, limit: Reader.maxRows)
        var requests = open.filter { $0.record.info.side == .request && (author == nil || $0.record.info.author == author) }
        if let id = request {
            requests = requests.filter { $0.record.info.id == id }
            guard !requests.isEmpty else { throw RuleViolation(.listingNotFound, .noOpenRequest(id)) }
        }
        let offers = open.filter { $0.record.info.side == .offer }
        return Matcher.match(requests: requests.map(\.matchListing), offers: offers.map(\.matchListing))
    }
}
