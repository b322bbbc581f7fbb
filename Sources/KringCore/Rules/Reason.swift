/// What a refusal or a warning says, with its numbers as typed values: amounts as `Minutes`,
/// members as ids or names, days as `Day`, limits as numbers. It holds no words; each face
/// renders it in a person's language from one table per language (`english`, `dutch`), and
/// the compiler makes every table cover every case.
///
/// One case per sentence. A new rule adds a case here and a line to each table.
public enum Reason: Sendable, Equatable, Codable {
    // Members
    case reservedHandle(MemberID, reserved: [String])
    case memberExists(MemberID)
    case onePool
    case notActiveToSuspend(name: String, status: MemberStatus)
    case poolSuspended
    case notSuspendedToReinstate(name: String, status: MemberStatus)
    case onlySelfEndsMembership(MemberID)
    case poolLeaves
    case alreadyLeft(name: String)
    case noPool
    case leaveDebt(name: String, debt: Minutes, pool: Minutes, poolFloor: Minutes)
    case limitsAfterLeaving(name: String)
    case floorAboveZero(Minutes)
    case ceilingBelowZero(Minutes)
    case floorAboveBalance(name: String, balance: Minutes, floor: Minutes)
    case ceilingBelowBalance(name: String, balance: Minutes, ceiling: Minutes)
    case inactive(name: String, status: MemberStatus)
    case coordinatorOnly(CoordinatorTask)
    case notFound(Missing)
    case notADomain(String, domains: [String])

    // Policy
    case policyQuantum(Minutes)
    case policyLargestExchange(Minutes)
    case policyPairCap(Minutes)
    case policyWarningMargin(Minutes)
    case policyDays(PolicyWindow, least: Int64, most: Int64, got: Int64)
    case policyGroupSize(most: Int64, got: Int64)
    case policyDomains([String])
    case policyNoLimits(MemberKind)
    case policyFloor(MemberKind, Minutes)
    case policyCeiling(MemberKind, Minutes)
    case policyEarnedFloor
    case policyAmount(setting: String, value: String)
    case policyWholeNumber(setting: String, value: String)
    case policyOnOff(setting: String, value: String)
    case policyExpiryAction(value: String)
    case policyTimeZone(value: String)
    case policyEarnedFloorText(value: String)
    case policyUnknownSetting(String, known: [String])

    // Exchanges
    case proposalNeedsProposer
    case proposerNotParty(MemberID)
    case alreadyConsented(MemberID, ExchangeID, waitingFor: [MemberID])
    case proposerRejects(MemberID, ExchangeID)
    case consentGiven(MemberID, ExchangeID)
    case onlyProposerCancels(proposer: MemberID?, ExchangeID)
    case expiresByItself
    case notDueToExpire(ExchangeID, ExchangeState)
    case alreadyReversed(ExchangeID, reason: String)
    case reverseNeedsConfirmed(ExchangeID, ExchangeState)
    case settledCannotReverse(name: String, ExchangeID)
    case consentNeedsMember(ConsentStep)
    case notParty(MemberID, ExchangeID, ConsentStep)
    case notProposed(ExchangeID, ExchangeState, ConsentStep)
    case groupEmpty
    case groupShape(providers: Int, receivers: Int)
    case groupTooLarge(most: Int64, got: Int64)
    case groupDuplicate
    case selfExchange(MemberID)
    case poolInExchange
    case negativeCredits(Minutes)
    case timeGift
    case quantum(Minutes, got: Minutes)
    case largestExchange(Minutes, got: Minutes)
    case quantityNotPositive(Int64)
    case quantityTooLarge(Int64, ExchangeKind, most: Int64)
    case equalTime(worked: Minutes, credits: Minutes)
    case futureDate(Day, today: Day)
    case backdated(Day, days: Int64, earliest: Day)
    case pairCap(name: String, other: String, already: Minutes, days: Int64, more: Minutes, cap: Minutes)
    case transferNotPositive
    case postingsUnbalanced
    case poolBelowFloor(holds: Minutes, paying: Minutes, to: Minutes, floor: Minutes)
    case belowFloor(name: String, posting: Minutes, to: Minutes, floor: Minutes)
    case aboveCeiling(name: String, receiving: Minutes, to: Minutes, ceiling: Minutes)

    // The pool
    case onlySelfDonates(MemberID)
    case poolDonatesToItself
    case grantNeedsCoordinator
    case poolGrantsToItself
    case amountNotPositive(Minutes)
    case amountUnreadable(String)
    case dateUnreadable(String)
    case daysUnreadable(String)

    // Text
    case textForbidden(Field, scalar: UInt32, position: Int)
    case textEmpty(Field)
    case textTooLong(Field, most: Int, got: Int)

    // Offers and requests
    case poolPosts
    case listingWithdrawn(ListingID)
    case onlyAuthor(MemberID, ListingTask)
    case listingDays(most: Int64, got: Int64)
    case joinBeforePosting(MemberID, ChallengeID)
    case tooManyLinks(most: Int, got: Int)
    case linkedTwice
    case noneJoined(ChallengeID)
    case withdrawnCannotFulfil(ListingID)
    case offerNeedsProvider(ListingID, author: MemberID)
    case requestNeedsReceiver(ListingID, author: MemberID)
    case alreadyFulfilled(ListingID, by: ExchangeID)

    // Introductions
    case notOpenToIntroduce(ListingID)
    case introduceToSelf(MemberID)
    case alreadyIntroduced(request: ListingID, offer: ListingID)

    // Rooms and bookings
    case bookingCancelled(BookingID)
    case importSource
    case sessionCredits(BookingID, length: Minutes, got: Minutes)
    case bookingSettled(BookingID, by: ExchangeID)
    case bookingNotOver(BookingID, date: Day, end: Int64)
    case bookingSettlement(BookingID, kind: ExchangeKind, owner: MemberID?, member: MemberID)
    case sessionLength(least: Int64, most: Int64, quantum: Int64, got: Int64)
    case sessionNeeded(ListingID)
    case questionNeeded(ListingID)
    case questionOneLine
    case questionForSessions
    case onlyOwnerSetsHours(MemberID)
    case capacityRange(most: Int64, got: Int64)
    case hoursShape
    case onlySelfBooks(MemberID)
    case noHours(ListingID)
    case ownSpace(MemberID)
    case bookingDay(today: Day, most: Int64, got: Day)
    case bookingTimes(start: Int64, end: Int64)
    case skippedTime(date: Day, minute: Int64, zone: String)
    case slotOver(date: Day, end: Int64)
    case notOpen(ListingID, date: Day, start: Int64, end: Int64)
    case peopleRange(ListingID, capacity: Int64, got: Int64)
    case capacityFull(ListingID, capacity: Int64, booked: Int64, date: Day, start: Int64, end: Int64, more: Int64)
    case onlyBookerCancels(MemberID, BookingID)
    case bookingAlreadyCancelled(BookingID)
    case bookingOver(BookingID)
    case notSpace(ListingID, ExchangeKind)
    case offerWithdrawn(ListingID)

    // Goods
    case onlyLenderRecords(MemberID)
    case lendToSelf(MemberID)
    case poolLends
    case loanDue(today: Day, most: Int64, got: Day)
    case notGoodsOffer(ListingID, lender: MemberID)
    case onlyLenderReturns(MemberID, LoanID)
    case alreadyReturned(LoanID, on: Day)

    // Challenges
    case onlySelfPostsChallenge(MemberID)
    case challengeAuthorKind(MemberID, MemberKind)
    case challengeDomains
    case challengeEnds(today: Day, most: Int64, got: Day)
    case onlySelfJoins(MemberID)
    case alreadyJoined(MemberID, ChallengeID)
    case onlySelfPledges(MemberID)
    case joinBeforePledging(MemberID, ChallengeID)
    case onlyAuthorCloses(MemberID, ChallengeID)
    case challengeAlreadyClosed(ChallengeID)
    case challengeNotOpen(ChallengeID, closed: Bool, ends: Day)

    // Statistics
    case rangeReversed(from: Day, to: Day)
    case statisticsDays(Day)
    case rangeTooLong(most: Int64, from: Day, to: Day)

    // Tokens, search, export
    case noTokenForLeft(MemberID)
    case tokenExpiry(at: Int64, now: Int64)
    case tokenRevoked(TokenID)
    case searchNoWord
    case searchTooManyWords(most: Int, got: Int)
    case noOpenRequest(ListingID)
    case notExactHours(minutes: Int64, seq: Int64)

    // Logins, invitations and passwords
    case loginLabel(String)
    case loginRole(name: String, isCoordinator: Bool)
    case passwordTooShort(least: Int, got: Int)
    case passwordTooLong(most: Int, got: Int)
    case passwordCommon
    case invitationUnknown
    case invitationUsed
    case invitationExpired(Day)
    case invitationDays(most: Int64, got: Int64)
    case noLoginForLeft(MemberID)

    // Warnings
    case nearFloor(name: String, at: Minutes, margin: Minutes, floor: Minutes)
    case nearCeiling(name: String, at: Minutes, margin: Minutes, ceiling: Minutes)

    /// A sentence kept as text by an earlier version (idempotency outcomes stored before
    /// sentences were typed); shown as it was written, in English.
    case kept(String)

    /// The sentence in `language`.
    public func sentence(in language: Language) -> String {
        switch language {
        case .en: return english
        case .nl: return dutch
        }
    }
}

/// The languages Kring speaks: Dutch (the default of the pages) and English (the CLI's and
/// the API's).
public enum Language: String, Sendable, CaseIterable, Codable {
    case nl, en
}

/// The input field a refusal concerns, by the API's name for it (a JSON member or query
/// parameter); a form shows the sentence next to it.
public enum Field: String, Sendable, CaseIterable, Codable {
    case id, name, kind, neighbourhood, domains, domain
    case floor = "floor_minutes", ceiling = "ceiling_minutes", setting, value
    case providers, receivers, credits = "credits_minutes", quantity, date, what, reason
    case title, text, place, availability, days, links, challenge
    case capacity, weekly, start = "from", end = "to", people, due, ends, offer, member, borrower, label, q, password, role
    case session = "session_minutes", question
}

/// What a `notFound` refusal looked for.
public enum Missing: Sendable, Equatable, Codable {
    case member(MemberID)
    case exchange(ExchangeID)
    case listing(ListingID)
    case offer(ListingID)
    case booking(BookingID)
    case loan(LoanID)
    case challenge(ChallengeID)
    case token(TokenID)
    case login(LoginID)
}

/// What only a coordinator may do.
public enum CoordinatorTask: String, Sendable, Codable {
    case registerMembers, suspendMembers, reinstateMembers, changeLimits, changePolicy, recordExchange, reverseExchange, introduceMembers
}

/// The steps a party takes on a proposal.
public enum ConsentStep: String, Sendable, Codable {
    case confirm, reject, cancel
}

/// What an author does to a listing.
public enum ListingTask: String, Sendable, Codable {
    case post, edit, withdraw, renew
}

/// The policy's windows counted in days.
public enum PolicyWindow: String, Sendable, Codable {
    case pairWindow, backdating, proposalExpiry
}
