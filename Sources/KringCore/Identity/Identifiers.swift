/// Kring's identities. Every id has a type and exactly one canonical text form: the faces parse
/// text into these types once (`init?(canonical:)`), nothing below them handles id strings, and
/// the journal holds only what `description` writes. See docs/architecture.md, "Identities".

/// An id made of a fixed prefix and a positive number: `ex-12`, `bk-3`, `ln-7`, `ch-1`, `tk-4`.
///
/// The canonical form is the prefix and the number in decimal, without sign, leading zeros,
/// spaces or any other character; numbers run from 1 to `Int64.max`.
public protocol NumberedID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The prefix of the canonical form, dash included.
    static var prefix: String { get }
    /// What people call it, for messages ("exchange").
    static var noun: String { get }
    /// The number, always positive.
    var number: Int64 { get }
    /// Wraps a number already known to be positive (a projection's key, a counter).
    init(uncheckedNumber: Int64)
}

extension NumberedID {
    /// The id with this number; nil unless it is positive.
    public init?(number: Int64) {
        guard number > 0 else { return nil }
        self.init(uncheckedNumber: number)
    }

    /// Parses the canonical form only: `ex-12`, never `ex-012`, `ex-+12`, `EX-12` or `ex-12 `.
    public init?(canonical text: some StringProtocol) {
        // On the bytes themselves where they lie together (a native string): a concrete buffer,
        // not a generic collection walked through its witness table (a route's id, per request).
        if let n = text.utf8.withContiguousStorageIfAvailable({ CanonicalNumber.parse($0, prefix: Self.prefix) }) {
            guard let n else { return nil }
            self.init(uncheckedNumber: n)
            return
        }
        self.init(canonicalUTF8: text.utf8)
    }

    /// Parses the canonical form from its UTF-8 bytes.
    init?(canonicalUTF8 bytes: some Collection<UInt8>) {
        guard let n = CanonicalNumber.parse(bytes, prefix: Self.prefix) else { return nil }
        self.init(uncheckedNumber: n)
    }

    /// Reads an id as versions before typed identities accepted it (`ex-012`, `ex-+12`): the
    /// prefix and whatever `Int64(_:)` read as a positive number. Only the journal's replay of
    /// entries written by those versions uses it; faces never do.
    public init?(legacy text: some StringProtocol) {
        let s = String(text)
        guard s.hasPrefix(Self.prefix), let n = Int64(s.dropFirst(Self.prefix.count)), n > 0 else { return nil }
        self.init(uncheckedNumber: n)
    }

    /// The canonical form: the one formatter of this id.
    public var description: String { Self.prefix + String(number) }

    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }
}

/// The canonical decimal number after a prefix: 1 to 19 ASCII digits, the first not 0, within
/// `Int64`.
enum CanonicalNumber {
    static func parse(_ text: some StringProtocol, prefix: String) -> Int64? { parse(text.utf8, prefix: prefix) }

    static func parse(_ bytes: some Collection<UInt8>, prefix: String) -> Int64? {
        let p = prefix.utf8
        guard bytes.count > p.count, bytes.count <= p.count + 19, bytes.starts(with: p) else { return nil }
        var n: Int64 = 0
        var first = true
        for b in bytes.dropFirst(p.count) {
            guard b >= 0x30, b <= 0x39, !(first && b == 0x30) else { return nil }
            first = false
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - 0x30))
            guard !o1, !o2 else { return nil }
            n = s
        }
        return n
    }
}

/// An exchange: `ex-N`.
public struct ExchangeID: NumberedID {
    public static let prefix = "ex-"
    public static let noun = "exchange"
    public let number: Int64
    public init(uncheckedNumber: Int64) { number = uncheckedNumber }
}

/// A booking of a space or an expert's slot: `bk-N`.
public struct BookingID: NumberedID {
    public static let prefix = "bk-"
    public static let noun = "booking"
    public let number: Int64
    public init(uncheckedNumber: Int64) { number = uncheckedNumber }
}

/// A loan of goods: `ln-N`.
public struct LoanID: NumberedID {
    public static let prefix = "ln-"
    public static let noun = "loan"
    public let number: Int64
    public init(uncheckedNumber: Int64) { number = uncheckedNumber }
}

/// A challenge: `ch-N`.
public struct ChallengeID: NumberedID {
    public static let prefix = "ch-"
    public static let noun = "challenge"
    public let number: Int64
    public init(uncheckedNumber: Int64) { number = uncheckedNumber }
}

/// An API token, by its row (never by its secret): `tk-N`.
public struct TokenID: NumberedID {
    public static let prefix = "tk-"
    public static let noun = "token"
    public let number: Int64
    public init(uncheckedNumber: Int64) { number = uncheckedNumber }
}

/// A login to the web pages, by its row (never by its password or sessions): `lg-N`.
public struct LoginID: NumberedID {
    public static let prefix = "lg-"
    public static let noun = "login"
    public let number: Int64
    public init(uncheckedNumber: Int64) { number = uncheckedNumber }
}

/// An offer (`of-N`) or a request (`rq-N`). Offers and requests share one counter, so the
/// number alone names the listing; the side is part of the id, and `of-4` does not find the
/// request `rq-4`.
public struct ListingID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let side: ListingSide
    public let number: Int64

    /// Wraps a number already known to be positive.
    public init(side: ListingSide, uncheckedNumber: Int64) {
        self.side = side
        number = uncheckedNumber
    }

    /// The listing with this side and number; nil unless the number is positive.
    public init?(side: ListingSide, number: Int64) {
        guard number > 0 else { return nil }
        self.init(side: side, uncheckedNumber: number)
    }

    /// Parses the canonical form only (`of-12`, `rq-3`).
    public init?(canonical text: some StringProtocol) {
        for side in ListingSide.allCases {
            if let n = CanonicalNumber.parse(text, prefix: side.prefix) {
                self.init(side: side, uncheckedNumber: n)
                return
            }
        }
        return nil
    }

    /// Reads an id as versions before typed identities accepted it; see `NumberedID`.
    public init?(legacy text: some StringProtocol) {
        let s = String(text)
        for side in ListingSide.allCases where s.hasPrefix(side.prefix) {
            guard let n = Int64(s.dropFirst(3)), n > 0 else { return nil }
            self.init(side: side, uncheckedNumber: n)
            return
        }
        return nil
    }

    public var description: String { side.prefix + String(number) }

    public static func < (a: ListingID, b: ListingID) -> Bool { a.number < b.number }
}

/// A member's handle: `an-peeters`. Stable, unique, public.
///
/// The canonical form (the one rule for handles): 1 to 40 bytes of `a`–`z`, `0`–`9` and `-`,
/// not starting with `-`. Handles that name an actor of the journal (`auto`, `coordinator`,
/// `system`) parse, so ledgers that hold one still read, but cannot be registered.
public struct MemberID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Longest handle.
    public static let maxLength = 40
    /// Handles a new member may not take: the journal's names for actors that are not members.
    public static let reserved: Set<String> = ["auto", "coordinator", "system"]

    /// The handle.
    public let handle: String

    /// Parses a handle in its canonical form only. Inlinable, so that a caller that knows the
    /// text is a `String` (a route's member, a column read) goes straight to the `String` form.
    @inlinable public init?(canonical text: some StringProtocol) {
        if let s = text as? String { self.init(canonical: s) } else { self.init(canonical: String(text)) }
    }

    /// `init?(canonical:)` for a `String`: the handle is the text itself, checked on its bytes.
    public init?(canonical text: String) {
        guard text.utf8.withContiguousStorageIfAvailable({ MemberID.isCanonical($0) }) ?? MemberID.isCanonical(text.utf8) else { return nil }
        handle = text
    }

    /// Parses a handle in its canonical form from its UTF-8 bytes.
    init?(canonicalUTF8 bytes: some Collection<UInt8>) {
        guard MemberID.isCanonical(bytes) else { return nil }
        handle = String(decoding: bytes, as: UTF8.self)
    }

    /// Whether these bytes are a handle in its canonical form.
    private static func isCanonical(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first, bytes.count <= MemberID.maxLength, first != 0x2D else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    /// Whether the handle names an actor of the journal and so cannot be registered.
    public var isReserved: Bool { MemberID.reserved.contains(handle) }

    public var description: String { handle }

    public static func < (a: MemberID, b: MemberID) -> Bool { a.handle < b.handle }
}

/// The solidarity pool's member id.
public let poolID = MemberID(canonical: "pool")!

/// What an exchange says it fulfils or settles: an offer or request, a booking, or a challenge
/// it contributes to.
public enum ExchangeLink: Hashable, Sendable, CustomStringConvertible {
    case listing(ListingID)
    case booking(BookingID)
    case challenge(ChallengeID)

    /// Parses a canonical listing, booking or challenge id.
    public init?(canonical text: some StringProtocol) {
        if let l = ListingID(canonical: text) { self = .listing(l) }
        else if let b = BookingID(canonical: text) { self = .booking(b) }
        else if let c = ChallengeID(canonical: text) { self = .challenge(c) }
        else { return nil }
    }

    /// Reads a link as versions before typed identities accepted it.
    public init?(legacy text: some StringProtocol) {
        if let l = ListingID(legacy: text) { self = .listing(l) }
        else if let b = BookingID(legacy: text) { self = .booking(b) }
        else if let c = ChallengeID(legacy: text) { self = .challenge(c) }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .listing(let l): return l.description
        case .booking(let b): return b.description
        case .challenge(let c): return c.description
        }
    }

    /// The request it fulfils, if it links one.
    public var request: ListingID? {
        if case .listing(let l) = self, l.side == .request { return l }
        return nil
    }

    /// The booking it settles, if it links one.
    public var booking: BookingID? {
        if case .booking(let b) = self { return b }
        return nil
    }
}

/// An id the journal stores as text: read in its canonical form, or (replaying entries written
/// before typed identities) in the legacy form those versions accepted.
public protocol JournalID: Hashable, Sendable, CustomStringConvertible {
    init?(canonical text: some StringProtocol)
    init?(legacy text: some StringProtocol)
    /// What people call it, for messages ("exchange").
    static var noun: String { get }
    /// A canonical example, for messages ("ex-12").
    static var example: String { get }
    /// The code of a refusal because no such thing exists.
    static var notFound: RuleCode { get }
}

extension NumberedID {
    public static var example: String { prefix + "12" }
}

extension ExchangeID: JournalID { public static let notFound = RuleCode.exchangeNotFound }
extension BookingID: JournalID { public static let notFound = RuleCode.bookingNotFound }
extension LoanID: JournalID { public static let notFound = RuleCode.loanNotFound }
extension ChallengeID: JournalID { public static let notFound = RuleCode.challengeNotFound }
extension TokenID: JournalID { public static let notFound = RuleCode.tokenNotFound }
extension LoginID: JournalID { public static let notFound = RuleCode.loginNotFound }

extension ListingID: JournalID {
    public static let noun = "offer or request"
    public static let example = "of-12"
    public static let notFound = RuleCode.listingNotFound
}

extension ExchangeLink: JournalID {
    public static let noun = "offer, request, booking or challenge"
    public static let example = "rq-12"
    public static let notFound = RuleCode.listingNotFound
}

extension MemberID: JournalID {
    public static let noun = "member"
    public static let example = "an-peeters"
    public static let notFound = RuleCode.memberNotFound

    /// Handles were always checked when registered; a handle that was not canonical never
    /// named a member, so there is no legacy form.
    public init?(legacy text: some StringProtocol) { self.init(canonical: text) }
}

/// How a decoder reads ids from the journal: canonical only (`strict`), or also in their legacy
/// form, noting each legacy text met and what it stands for.
public struct IDReading: Sendable {
    /// Whether legacy forms are read.
    public let allowsLegacy: Bool
    /// The legacy texts met, each with its canonical form.
    public private(set) var legacy: [(text: String, canonical: String)] = []

    public init(allowsLegacy: Bool) { self.allowsLegacy = allowsLegacy }

    /// Canonical ids only.
    public static var strict: IDReading { IDReading(allowsLegacy: false) }

    /// The id in `json`, a string; nil when it is missing or not an id of this type.
    public mutating func id<T: JournalID>(_ json: JSON?, _ type: T.Type = T.self) -> T? {
        guard let s = json?.stringValue else { return nil }
        if let v = T(canonical: s) { return v }
        guard allowsLegacy, let v = T(legacy: s) else { return nil }
        legacy.append((s, v.description))
        return v
    }

    /// A list of ids; nil when any item is not one.
    public mutating func ids<T: JournalID>(_ json: JSON?, _ type: T.Type = T.self) -> [T]? {
        guard let items = json?.arrayValue else { return nil }
        var out = [T]()
        out.reserveCapacity(items.count)
        for item in items {
            guard let v = id(item, T.self) else { return nil }
            out.append(v)
        }
        return out
    }

    /// An optional id: JSON null is nil; anything else must be an id.
    /// - Returns: `.some(nil)` for null, `.some(id)`, or nil when the value is not an id.
    public mutating func optionalID<T: JournalID>(_ json: JSON?, _ type: T.Type = T.self) -> T?? {
        guard let json else { return nil }
        if json.isNull { return .some(nil) }
        guard let v = id(json, T.self) else { return nil }
        return .some(v)
    }
}

extension JSON {
    /// An id (or an actor) as a JSON string, by its one formatter.
    public static func id(_ v: some CustomStringConvertible) -> JSON { .string(v.description) }
    /// An optional id; nil is null.
    public static func id(_ v: (some CustomStringConvertible)?) -> JSON { v.map { .string($0.description) } ?? .null }
    /// A list of ids.
    public static func ids(_ items: [some CustomStringConvertible]) -> JSON { .array(items.map { .string($0.description) }) }
}

extension JournalID {
    /// Decodes the canonical form only (a kept sentence's arguments).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let v = Self(canonical: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(text) is not a canonical \(Self.noun) id")
        }
        self = v
    }

    /// Encodes by the one formatter.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension MemberID: Codable {}
extension ExchangeID: Codable {}
extension ListingID: Codable {}
extension BookingID: Codable {}
extension LoanID: Codable {}
extension ChallengeID: Codable {}
extension TokenID: Codable {}
extension LoginID: Codable {}
