import Foundation

/// An exchange as someone asks for it, before the rules have judged it.
public struct ExchangeDraft: Sendable, Equatable {
    public var providers: [MemberID]
    public var receivers: [MemberID]
    public var kind: ExchangeKind
    public var domain: String
    public var what: String
    /// Credits per pair.
    public var credits: Minutes
    /// Minutes of work or room use, or items, per pair; nil takes the default for the kind
    /// (time: the credits; space: the credits, or one hour for a gift; goods: one item).
    public var quantity: Int64?
    /// The day it took place; nil is today.
    public var date: Day?
    /// Offers, requests and bookings it fulfils, challenges it contributes to.
    public var links: [ExchangeLink]

    public init(providers: [MemberID], receivers: [MemberID], kind: ExchangeKind, domain: String, what: String,
                credits: Minutes, quantity: Int64? = nil, date: Day? = nil, links: [ExchangeLink] = []) {
        self.providers = providers
        self.receivers = receivers
        self.kind = kind
        self.domain = domain
        self.what = what
        self.credits = credits
        self.quantity = quantity
        self.date = date
        self.links = links
    }
}

/// A member as a coordinator registers them.
public struct MemberDraft: Sendable, Equatable {
    public var id: MemberID
    public var name: String
    public var kind: MemberKind
    public var neighbourhood: String?
    public var domains: [String]

    public init(id: MemberID, name: String, kind: MemberKind, neighbourhood: String? = nil, domains: [String] = []) {
        self.id = id
        self.name = name
        self.kind = kind
        self.neighbourhood = neighbourhood
        self.domains = domains
    }
}

/// How a limit override changes.
public enum LimitChange: Sendable, Equatable {
    /// Leave it as it is.
    case keep
    /// Remove the override: the policy's limit applies again.
    case clear
    /// Override with this value.
    case set(Minutes)
}

/// Everything that can be asked of the ledger. Each accepted command yields exactly one event.
public enum Command: Sendable, Equatable {
    case addMember(MemberDraft)
    case suspend(MemberID)
    case reinstate(MemberID)
    case leave(MemberID)
    case setLimits(MemberID, floor: LimitChange, ceiling: LimitChange)
    case setPolicy(Policy)
    case propose(ExchangeDraft)
    case confirm(ExchangeID)
    /// A party declines a proposal, with a reason shown to the others when given.
    case reject(ExchangeID, reason: String? = nil)
    /// The proposer withdraws a proposal, with a reason shown to the others when given.
    case cancel(ExchangeID, reason: String? = nil)
    case record(ExchangeDraft, reason: String?)
    /// A coordinator brings over an exchange of another time bank's history (docs/import.md):
    /// recorded with both consents under the history exemption, naming the source file's
    /// SHA-256 and the row.
    case importExchange(ExchangeDraft, source: String, row: Int64)
    case reverse(ExchangeID, reason: String)
    case expire(ExchangeID)
    case donate(from: MemberID, minutes: Minutes)
    case grant(to: MemberID, minutes: Minutes, reason: String)
    case postListing(ListingDraft)
    /// A new version of a listing; its side and author stay as they were.
    case editListing(ListingID, ListingDraft)
    case withdrawListing(ListingID)
    /// Lists it again for `days` (default 90) from today.
    case renewListing(ListingID, days: Int64?)
    case lend(LoanDraft)
    case returnLoan(LoanID)
    case setSpaceHours(ListingID, SpaceHours)
    case book(BookingDraft)
    /// Whoever booked, the space's owner or a coordinator cancels, with a reason shown to the
    /// others when given.
    case cancelBooking(BookingID, reason: String? = nil)
    case postChallenge(author: MemberID, title: String, text: String, domains: [String], ends: Day)
    case joinChallenge(ChallengeID, member: MemberID)
    case pledge(Pledge)
    case closeChallenge(ChallengeID)
    /// A coordinator introduces the author of an open request to the author of an open offer.
    case introduce(request: ListingID, offer: ListingID)
}

/// An accepted command: its event and any soft warnings.
public struct Decision: Sendable, Equatable {
    public var event: Event
    public var warnings: [Warning]

    public init(event: Event, warnings: [Warning] = []) {
        self.event = event
        self.warnings = warnings
    }
}

extension String {
    /// The string in Unicode Normalization Form C (ASCII text is already, and is most text).
    var nfc: String { utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping }
}

extension String {
    /// A reason as given: trimmed, in NFC; nil when nothing is left.
    var givenReason: String? {
        let t = trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t.nfc
    }
}

extension Command {
    /// The command with every piece of people's text in NFC (ids and codes are ASCII already).
    public var normalizingText: Command {
        switch self {
        case .addMember(var d):
            d.name = d.name.nfc
            d.neighbourhood = d.neighbourhood?.nfc
            return .addMember(d)
        case .propose(var d):
            d.what = d.what.nfc
            return .propose(d)
        case .record(var d, let reason):
            d.what = d.what.nfc
            return .record(d, reason: reason?.nfc)
        case .importExchange(var d, let source, let row):
            d.what = d.what.nfc
            return .importExchange(d, source: source, row: row)
        case .reverse(let id, let reason): return .reverse(id, reason: reason.nfc)
        case .grant(let to, let minutes, let reason): return .grant(to: to, minutes: minutes, reason: reason.nfc)
        case .postListing(let d): return .postListing(d.normalizingText)
        case .editListing(let id, let d): return .editListing(id, d.normalizingText)
        case .lend(var d):
            d.what = d.what.nfc
            return .lend(d)
        case .postChallenge(let author, let title, let text, let domains, let ends):
            return .postChallenge(author: author, title: title.nfc, text: text.nfc, domains: domains, ends: ends)
        case .pledge(var p):
            p.what = p.what.nfc
            return .pledge(p)
        case .reject(let id, let reason): return .reject(id, reason: reason.flatMap(\.givenReason))
        case .cancel(let id, let reason): return .cancel(id, reason: reason.flatMap(\.givenReason))
        case .cancelBooking(let id, let reason): return .cancelBooking(id, reason: reason.flatMap(\.givenReason))
        case .book(var d):
            d.question = d.question.flatMap(\.givenReason)
            return .book(d)
        case .suspend, .reinstate, .leave, .setLimits, .setPolicy, .confirm, .expire, .donate, .withdrawListing,
             .renewListing, .returnLoan, .setSpaceHours, .joinChallenge, .closeChallenge, .introduce:
            return self
        }
    }
}

extension ListingDraft {
    var normalizingText: ListingDraft {
        var d = self
        d.title = title.nfc
        d.text = text.nfc
        d.place = place?.nfc
        d.availability = availability?.nfc
        return d
    }
}
