/// Goods lent from one member to another, to be returned by a date.
public struct LoanInfo: Sendable, Equatable {
    public var id: LoanID
    public var lender: MemberID
    public var borrower: MemberID
    public var what: String
    /// The goods offer it was lent from, if any.
    public var offer: ListingID?
    /// The day it was lent and the day it is due back.
    public var lent: Day
    public var due: Day

    public init(id: LoanID, lender: MemberID, borrower: MemberID, what: String, offer: ListingID?, lent: Day, due: Day) {
        self.id = id
        self.lender = lender
        self.borrower = borrower
        self.what = what
        self.offer = offer
        self.lent = lent
        self.due = due
    }

    /// The journal's form.
    public var json: JSON {
        .object(["id": .string(id.description), "lender": .string(lender.description), "borrower": .string(borrower.description), "what": .string(what),
                 "offer": offer.map { .string($0.description) } ?? .null, "lent": .string(lent.description), "due": .string(due.description)])
    }

    /// Reads the journal's form.
    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["borrower", "due", "id", "lender", "lent", "offer", "what"]), let id = ids.id(j["id"], LoanID.self),
              let lender = ids.id(j["lender"], MemberID.self), let borrower = ids.id(j["borrower"], MemberID.self),
              let what = j["what"]?.stringValue, let offer = ids.optionalID(j["offer"], ListingID.self),
              let lent = j["lent"]?.stringValue.flatMap(Day.init(iso:)), let due = j["due"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
        self.init(id: id, lender: lender, borrower: borrower, what: what, offer: offer, lent: lent, due: due)
    }
}

/// A loan and whether it came back.
public struct LoanRecord: Sendable, Equatable {
    public var info: LoanInfo
    /// The day it was returned, once it is.
    public var returned: Day?

    public init(info: LoanInfo, returned: Day? = nil) {
        self.info = info
        self.returned = returned
    }

    /// Not returned and past its due day on `day`.
    public func isOverdue(on day: Day) -> Bool { returned == nil && info.due < day }
}

/// A loan as the lender (or the coordinator) records it.
public struct LoanDraft: Sendable, Equatable {
    public var lender: MemberID
    public var borrower: MemberID
    public var what: String
    public var offer: ListingID?
    public var due: Day

    public init(lender: MemberID, borrower: MemberID, what: String, offer: ListingID? = nil, due: Day) {
        self.lender = lender
        self.borrower = borrower
        self.what = what
        self.offer = offer
        self.due = due
    }
}

extension Decider {
    /// The longest a loan runs.
    public static let maxLoanDays: Int64 = 365

    /// Lending goods and getting them back: recorded by the lender or the coordinator.
    static func decideLoan(_ command: Command, by actor: Actor, in view: some LedgerView, today: Day) throws(Refusal) -> Decision {
        switch command {
        case .lend(let d):
            guard actor.isCoordinator || actor.isMember(d.lender) else {
                throw .violation(.ruleForbidden, .onlyLenderRecords(d.lender))
            }
            guard d.lender != d.borrower else { throw .violation(.ruleSelf, .lendToSelf(d.lender), field: .borrower) }
            for id in [d.lender, d.borrower] {
                let m = try member(id, in: view)
                guard m.info.kind != .pool else { throw .violation(.rulePool, .poolLends) }
                try requireActive(m)
            }
            try validateText(d.what, .what, max: maxTextLength)
            guard d.due >= today, d.due <= today + maxLoanDays else {
                throw .violation(.inputInvalid, .loanDue(today: today, most: maxLoanDays, got: d.due), field: .due)
            }
            if let o = d.offer {
                guard o.side == .offer, let l = try view.listing(o) else { throw .violation(.listingNotFound, .notFound(.offer(o)), field: .offer) }
                guard l.info.author == d.lender, l.info.kind == .goods, !l.withdrawn else {
                    throw .violation(.listingState, .notGoodsOffer(o, lender: d.lender), field: .offer)
                }
            }
            let info = LoanInfo(id: LoanID(uncheckedNumber: try view.nextLoanNumber), lender: d.lender, borrower: d.borrower, what: d.what, offer: d.offer, lent: today, due: d.due)
            return Decision(event: .goodsLent(GoodsLent(loan: info)))

        case .returnLoan(let id):
            guard let l = try view.loan(id) else { throw .violation(.loanNotFound, .notFound(.loan(id))) }
            guard actor.isCoordinator || actor.isMember(l.info.lender) else {
                throw .violation(.ruleForbidden, .onlyLenderReturns(l.info.lender, id))
            }
            if let r = l.returned { throw .violation(.loanState, .alreadyReturned(id, on: r)) }
            return Decision(event: .goodsReturned(GoodsReturned(id: id, on: today)))

        default:
            preconditionFailure("decideLoan handles loan commands only")
        }
    }
}
