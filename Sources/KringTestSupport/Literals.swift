import KringCore

// Tests write ids as literals (`"ex-3"`, `"an"`). A literal that is not canonical stops the
// test at once; the product never has these conformances, so text from a person or a client
// still becomes an id only through `init?(canonical:)` at a face.

private func literal<T: JournalID>(_ text: String, _ type: T.Type) -> T {
    guard let v = T(canonical: text) else { preconditionFailure("\"\(text)\" is not a canonical \(T.noun) id") }
    return v
}

extension JournalID {
    /// A test's id literal; one that is not canonical stops the test.
    public init(stringLiteral value: String) { self = literal(value, Self.self) }
}

extension MemberID: ExpressibleByStringLiteral {}
extension ExchangeID: ExpressibleByStringLiteral {}
extension ListingID: ExpressibleByStringLiteral {}
extension BookingID: ExpressibleByStringLiteral {}
extension LoanID: ExpressibleByStringLiteral {}
extension ChallengeID: ExpressibleByStringLiteral {}
extension TokenID: ExpressibleByStringLiteral {}
extension LoginID: ExpressibleByStringLiteral {}
extension ExchangeLink: ExpressibleByStringLiteral {}

/// An id built from text a test computes (`"ex-\(n)"`); stops the test when it is not canonical.
public func canonical<T: JournalID>(_ text: String, as type: T.Type = T.self) -> T { literal(text, T.self) }
