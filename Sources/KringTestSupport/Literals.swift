import KringCore

// Tests write ids as literals (`"ex-3"`, `"an"`). A literal that is not canonical stops the
// test at once; the product never has these conformances, so text from a person or a client
// still becomes an id only through `init?(canonical:)` at a face.

private func literal<T: JournalID>(_ text: String, _ type: T.Type) -> T {
    guard let v = T(canonical: text) else { preconditionFailure("\"\(text)\" is not a canonical \(T.noun) id") }
    return v
}

extension MemberID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, MemberID.self) }
}
extension ExchangeID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, ExchangeID.self) }
}
extension ListingID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, ListingID.self) }
}
extension BookingID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, BookingID.self) }
}
extension LoanID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, LoanID.self) }
}
extension ChallengeID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, ChallengeID.self) }
}
extension TokenID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, TokenID.self) }
}
extension ExchangeLink: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = literal(value, ExchangeLink.self) }
}

/// An id built from text a test computes (`"ex-\(n)"`); stops the test when it is not canonical.
public func canonical<T: JournalID>(_ text: String, as type: T.Type = T.self) -> T { literal(text, T.self) }
