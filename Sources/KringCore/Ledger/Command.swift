/// An exchange as someone asks for it, before the rules have judged it.
public struct ExchangeDraft: Sendable, Equatable {
    public var providers: [String]
    public var receivers: [String]
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
    /// Offers and requests it fulfils.
    public var links: [String]

    public init(providers: [String], receivers: [String], kind: ExchangeKind, domain: String, what: String,
                credits: Minutes, quantity: Int64? = nil, date: Day? = nil, links: [String] = []) {
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
    public var id: String
    public var name: String
    public var kind: MemberKind
    public var neighbourhood: String?
    public var domains: [String]

    public init(id: String, name: String, kind: MemberKind, neighbourhood: String? = nil, domains: [String] = []) {
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
    case suspend(String)
    case reinstate(String)
    case leave(String)
    case setLimits(String, floor: LimitChange, ceiling: LimitChange)
    case setPolicy(Policy)
    case propose(ExchangeDraft)
    case confirm(String)
    case reject(String)
    case cancel(String)
    case record(ExchangeDraft, reason: String?)
    case reverse(String, reason: String)
    case expire(String)
    case donate(from: String, minutes: Minutes)
    case grant(to: String, minutes: Minutes, reason: String)
    case postListing(ListingDraft)
    /// A new version of a listing; its side and author stay as they were.
    case editListing(String, ListingDraft)
    case withdrawListing(String)
    /// Lists it again for `days` (default 90) from today.
    case renewListing(String, days: Int64?)
    case lend(LoanDraft)
    case returnLoan(String)
    case setSpaceHours(String, SpaceHours)
    case book(BookingDraft)
    case cancelBooking(String)
    case postChallenge(author: String, title: String, text: String, domains: [String], ends: Day)
    case joinChallenge(String, member: String)
    case pledge(Pledge)
    case closeChallenge(String)
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
