/// Whether a listing offers something or asks for it.
public enum ListingSide: String, Sendable, CaseIterable {
    case offer, request

    /// The id prefix: `of-12`, `rq-13` (one counter for both).
    public var prefix: String { self == .offer ? "of-" : "rq-" }
}

/// An offer or request as posted (or as last edited: every edit is a new version).
public struct ListingInfo: Sendable, Equatable {
    public var id: ListingID
    public var author: MemberID
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
    public var challenge: ChallengeID?

    public init(id: ListingID, author: MemberID, kind: ExchangeKind, domain: String, title: String, text: String,
                place: String?, availability: String?, expires: Day, version: Int64, challenge: ChallengeID? = nil) {
        self.id = id
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

    /// Whether it offers or asks: the side of its id.
    public var side: ListingSide { id.side }
}

extension ListingInfo {
    /// Without its title, text, place and availability: what a compact replay keeps (the
    /// verifier compares those four by fingerprint).
    public var replayed: ListingInfo {
        var l = self
        (l.title, l.text, l.place, l.availability) = ("", "", nil, nil)
        return l
    }
}

/// A listing with where it stands.
public struct ListingRecord: Sendable, Equatable {
    public var info: ListingInfo
    public var withdrawn: Bool
    /// For a request: the exchange that fulfilled it, once one has posted.
    public var fulfilledBy: ExchangeID?

    public init(info: ListingInfo, withdrawn: Bool, fulfilledBy: ExchangeID? = nil) {
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
    public var author: MemberID
    public var kind: ExchangeKind
    public var domain: String
    public var title: String
    public var text: String
    public var place: String?
    public var availability: String?
    /// Days it stays listed; nil is the default (90).
    public var days: Int64?
    /// A challenge it contributes to (the author must have joined it).
    public var challenge: ChallengeID?

    public init(side: ListingSide, author: MemberID, kind: ExchangeKind, domain: String, title: String, text: String = "",
                place: String? = nil, availability: String? = nil, days: Int64? = nil, challenge: ChallengeID? = nil) {
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
