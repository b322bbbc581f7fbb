/// Whether a listing offers something or asks for it.
public enum ListingSide: String, Sendable, CaseIterable {
    case offer, request

    /// The id prefix: `of-12`, `rq-13` (one counter for both).
    public var prefix: String { self == .offer ? "of-" : "rq-" }
}

/// An offer or request as posted (or as last edited: every edit is a new version).
public struct ListingInfo: Sendable, Equatable {
    public var id: String
    public var side: ListingSide
    public var author: String
    public var kind: ExchangeKind
    public var domain: String
    public var title: String
    public var text: String
    /// A neighbourhood or place; nil takes the author's neighbourhood.
    public var place: String?
    /// When it is available, in the author's words.
    public var availability: String?
    /// The last day it is listed.
    public var expires: Day
    /// 1 when posted, +1 for every edit.
    public var version: Int64
    /// The challenge it contributes to, if any.
    public var challenge: String?

    public init(id: String, side: ListingSide, author: String, kind: ExchangeKind, domain: String, title: String, text: String,
                place: String?, availability: String?, expires: Day, version: Int64, challenge: String? = nil) {
        self.id = id
        self.side = side
        self.author = author
        self.kind = kind
        self.domain = domain
        self.title = title
        self.text = text
        self.place = place
        self.availability = availability
        self.expires = expires
        self.version = version
        self.challenge = challenge
    }

    /// The listing number inside the id (`of-12` → 12), 0 when the id is not a listing id.
    public static func number(_ id: String) -> Int64 {
        guard id.hasPrefix("of-") || id.hasPrefix("rq-"), let n = Int64(id.dropFirst(3)), n > 0 else { return 0 }
        return n
    }
}

/// A listing with where it stands.
public struct ListingRecord: Sendable, Equatable {
    public var info: ListingInfo
    public var withdrawn: Bool
    /// For a request: the exchange that fulfilled it, once one has posted.
    public var fulfilledBy: String?

    public init(info: ListingInfo, withdrawn: Bool, fulfilledBy: String? = nil) {
        self.info = info
        self.withdrawn = withdrawn
        self.fulfilledBy = fulfilledBy
    }

    /// Listed publicly on `day`: not withdrawn, not fulfilled and not past its expiry.
    public func isOpen(on day: Day) -> Bool { !withdrawn && fulfilledBy == nil && info.expires >= day }
}

/// An offer or request as someone writes it.
public struct ListingDraft: Sendable, Equatable {
    public var side: ListingSide
    public var author: String
    public var kind: ExchangeKind
    public var domain: String
    public var title: String
    public var text: String
    public var place: String?
    public var availability: String?
    /// Days it stays listed; nil is the default (90).
    public var days: Int64?
    /// A challenge it contributes to (the author must have joined it).
    public var challenge: String?

    public init(side: ListingSide, author: String, kind: ExchangeKind, domain: String, title: String, text: String = "",
                place: String? = nil, availability: String? = nil, days: Int64? = nil, challenge: String? = nil) {
        self.side = side
        self.author = author
        self.kind = kind
        self.domain = domain
        self.title = title
        self.text = text
        self.place = place
        self.availability = availability
        self.days = days
        self.challenge = challenge
    }
}
