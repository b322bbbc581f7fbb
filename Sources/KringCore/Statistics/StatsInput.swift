/// The facts statistics are computed from, read from the ledger at one head. Members are
/// numbered; no id or name reaches a figure.
public struct StatsInput: Sendable {
    public struct Member: Sendable {
        public var kind: MemberKind
        public var neighbourhood: String?
        public var joined: Day
        /// Still in the circle at the head (not left); only they count in balance figures.
        public var present: Bool
        public var floor: Int64
        public var ceiling: Int64?
        public init(kind: MemberKind, neighbourhood: String?, joined: Day, present: Bool, floor: Int64, ceiling: Int64?) {
            self.kind = kind
            self.neighbourhood = neighbourhood
            self.joined = joined
            self.present = present
            self.floor = floor
            self.ceiling = ceiling
        }
    }

    /// A confirmed exchange that stands at the head (reversed exchanges are left out).
    public struct Exchange: Sendable {
        /// The day its credits were posted (the day it was confirmed or recorded).
        public var day: Day
        public var kind: ExchangeKind
        public var domain: String
        /// Credits per provider-receiver pair, in minutes.
        public var credits: Int64
        /// Quantity per pair: minutes of work or room use, or items.
        public var quantity: Int64
        /// The providers, then the receivers: one array for both (a million exchanges then
        /// hold a million small arrays, not two million).
        public private(set) var parties: [Int32]
        public private(set) var providerCount: Int
        public var providers: ArraySlice<Int32> { parties[..<providerCount] }
        public var receivers: ArraySlice<Int32> { parties[providerCount...] }
        /// Whether it settled a session of an expert's time offer (ask the expert).
        public var session: Bool
        public init(day: Day, kind: ExchangeKind, domain: String, credits: Int64, quantity: Int64, providers: [Int32], receivers: [Int32], session: Bool = false) {
            self.day = day
            self.kind = kind
            self.domain = domain
            self.credits = credits
            self.quantity = quantity
            self.parties = providers + receivers
            self.providerCount = providers.count
            self.session = session
        }

        public mutating func addProvider(_ m: Int32) {
            parties.insert(m, at: providerCount)
            providerCount += 1
        }

        public mutating func addReceiver(_ m: Int32) { parties.append(m) }
    }

    /// A request fulfilled by a standing exchange.
    public struct Request: Sendable {
        public var author: Int32
        public var posted: Day
        /// The day the exchange that fulfilled it was posted.
        public var fulfilled: Day
        public init(author: Int32, posted: Day, fulfilled: Day) {
            self.author = author
            self.posted = posted
            self.fulfilled = fulfilled
        }
    }

    /// A donation to the pool or a grant from it.
    public struct PoolMove: Sendable {
        public var day: Day
        public var donation: Bool
        public var member: Int32
        public var minutes: Int64
        public init(day: Day, donation: Bool, member: Int32, minutes: Int64) {
            self.day = day
            self.donation = donation
            self.member = member
            self.minutes = minutes
        }
    }

    /// One posting, for balances at the end of each period.
    public struct Posting: Sendable {
        public var member: Int32
        public var day: Day
        public var minutes: Int64
        public init(member: Int32, day: Day, minutes: Int64) {
            self.member = member
            self.day = day
            self.minutes = minutes
        }
    }

    /// An introduction the coordinator made between a request's and an offer's authors.
    public struct Introduction: Sendable {
        public var day: Day
        public var members: [Int32]
        /// Whether a confirmed exchange linked to both listings followed (by the head).
        public var became: Bool
        public init(day: Day, members: [Int32], became: Bool) {
            self.day = day
            self.members = members
            self.became = became
        }
    }

    public var members: [Member]
    public var exchanges: [Exchange]
    public var introductions: [Introduction] = []
    public var requests: [Request]
    public var pool: [PoolMove]
    public var postings: [Posting]
    public var headSeq: Int64
    public var headHash: String
    public var headDay: Day
    public var policy: Policy

    public init(members: [Member], exchanges: [Exchange], requests: [Request], pool: [PoolMove], postings: [Posting],
                headSeq: Int64, headHash: String, headDay: Day, policy: Policy) {
        self.members = members
        self.exchanges = exchanges
        self.requests = requests
        self.pool = pool
        self.postings = postings
        self.headSeq = headSeq
        self.headHash = headHash
        self.headDay = headDay
        self.policy = policy
    }
}

/// The length of a statistics period.
public enum StatsPeriod: String, Sendable, CaseIterable {
    case month, quarter, year

    /// The period holding `day`: its label and first and last day.
    public func span(of day: Day) -> (label: String, first: Day, last: Day) {
        let (y, m, _) = day.civil
        let year = format4(y)
        switch self {
        case .month:
            let first = Day(year: y, month: m, day: 1)!
            return ("\(year)-\(m < 10 ? "0" : "")\(m)", first, first + Day.daysIn(year: y, month: m) - 1)
        case .quarter:
            let q = (m - 1) / 3
            let first = Day(year: y, month: q * 3 + 1, day: 1)!
            let next = q == 3 ? Day(year: y + 1, month: 1, day: 1)! : Day(year: y, month: q * 3 + 4, day: 1)!
            return ("\(year)-Q\(q + 1)", first, next - 1)
        case .year:
            return (year, Day(year: y, month: 1, day: 1)!, Day(year: y + 1, month: 1, day: 1)! - 1)
        }
    }
}

func format4(_ y: Int64) -> String { y >= 0 && y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y) }
