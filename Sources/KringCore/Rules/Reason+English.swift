/// The English table: the sentences of the CLI and the API's `detail`, and of the pages in
/// English. `docs/rules.md` quotes them.
extension Reason {
    /// The sentence in English.
    public var english: String {
        func list(_ ids: [some CustomStringConvertible]) -> String { ids.map(\.description).joined(separator: ", ") }
        func clock(_ m: Int64) -> String { SpaceHours.clock(m) }
        switch self {
        case let .reservedHandle(id, reserved):
            return "\(id) names an actor of the journal (\(reserved.joined(separator: ", "))) and cannot be a member's id."
        case let .memberExists(id): return "A member with id \(id) already exists."
        case .onePool: return "There is exactly one pool; it was created with the ledger."
        case let .notActiveToSuspend(name, status): return "\(name) is \(status.rawValue), not active; only an active member can be suspended."
        case .poolSuspended: return "The pool cannot be suspended."
        case let .notSuspendedToReinstate(name, status): return "\(name) is \(status.rawValue), not suspended; only a suspended member can be reinstated."
        case let .onlySelfEndsMembership(id): return "Only \(id) or a coordinator may end \(id)'s membership."
        case .poolLeaves: return "The pool cannot leave."
        case let .alreadyLeft(name): return "\(name) has already left."
        case .noPool: return "The ledger has no pool; run init."
        case let .leaveDebt(name, debt, pool, floor):
            return "\(name) leaves with a debt of \(debt); the pool holds \(pool) and may not go below \(floor). Donate to the pool first."
        case let .limitsAfterLeaving(name): return "\(name) has left; their limits no longer apply."
        case let .floorAboveZero(f): return "A floor is zero or below, not \(f)."
        case let .ceilingBelowZero(c): return "A ceiling is zero or above, not \(c)."
        case let .floorAboveBalance(name, balance, floor): return "\(name)'s balance is \(balance); a floor of \(floor) would leave it below the floor."
        case let .ceilingBelowBalance(name, balance, ceiling): return "\(name)'s balance is \(balance); a ceiling of \(ceiling) would leave it above the ceiling."
        case let .inactive(name, status): return "\(name) is \(status.rawValue) and cannot transact."
        case let .coordinatorOnly(task):
            let what = switch task {
            case .registerMembers: "register members"
            case .suspendMembers: "suspend members"
            case .reinstateMembers: "reinstate members"
            case .changeLimits: "change a member's limits"
            case .changePolicy: "change the policy"
            case .recordExchange: "record an exchange with both consents"
            case .reverseExchange: "reverse an exchange"
            case .introduceMembers: "introduce members to each other"
            }
            return "Only a coordinator may \(what)."
        case let .notFound(missing):
            switch missing {
            case .member(let id): return "There is no member \(id)."
            case .exchange(let id): return "There is no exchange \(id)."
            case .listing(let id): return "There is no offer or request \(id)."
            case .offer(let id): return "There is no offer \(id)."
            case .booking(let id): return "There is no booking \(id)."
            case .loan(let id): return "There is no loan \(id)."
            case .challenge(let id): return "There is no challenge \(id)."
            case .token(let id): return "There is no token \(id)."
            case .login(let id): return "There is no login \(id)."
            }
        case let .notADomain(d, domains): return "\(d) is not a policy domain; the domains are \(domains.joined(separator: ", "))."

        case let .policyQuantum(q): return "The quantum is 1 minute to 24 h, not \(q)."
        case let .policyLargestExchange(m): return "The largest exchange is more than zero, not \(m)."
        case let .policyPairCap(m): return "The pair cap is more than zero, not \(m)."
        case let .policyWarningMargin(m): return "The warning margin is zero or more, not \(m)."
        case let .policyDays(window, least, most, got):
            let name = switch window {
            case .pairWindow: "pair window"
            case .backdating: "backdating window"
            case .proposalExpiry: "proposal expiry"
            }
            return "The \(name) is \(least) to \(most) days, not \(got)."
        case let .policyGroupSize(most, got): return "A group has 1 to \(most) members on its many side, not \(got)."
        case let .policyDomains(ds): return "The policy domains are distinct lower-case names (letters, digits, dashes), not \(ds.joined(separator: ","))."
        case let .policyNoLimits(kind): return "The policy has no limits for \(kind.rawValue)."
        case let .policyFloor(kind, f): return "A floor is zero or below; \(kind.rawValue)'s is \(f)."
        case let .policyCeiling(kind, c): return "A ceiling is zero or above; \(kind.rawValue)'s is \(c)."
        case .policyEarnedFloor: return "An earned floor starts no deeper than its deepest, with amounts of zero or more."
        case let .policyAmount(setting, value): return "\"\(value)\" is not an amount for \(setting) (try 20h, 1:30 or 90m)."
        case let .policyWholeNumber(setting, value): return "\(setting) takes a whole number, not \(value)."
        case let .policyOnOff(setting, value): return "\(setting) is on or off, not \(value)."
        case let .policyExpiryAction(value): return "expiry-action is expire or auto-confirm, not \(value)."
        case let .policyTimeZone(value): return "time-zone is the name of a time zone, such as Europe/Brussels, not \(value)."
        case let .policyEarnedFloorText(value): return "earned-floor is START,PER-HOUR-GIVEN,DEEPEST (e.g. 5h,30m,20h), or off; not \(value)."
        case let .policyUnknownSetting(name, known): return "Unknown policy setting \(name); known: \(known.joined(separator: ", "))."

        case .proposalNeedsProposer:
            return "A proposal is made by one of its parties; name who proposes (--as MEMBER), or record it as coordinator."
        case let .proposerNotParty(m): return "\(m) is not a provider or receiver of this exchange and cannot propose it."
        case let .alreadyConsented(m, id, waiting): return "\(m) has already consented to \(id); it waits for \(list(waiting))."
        case let .proposerRejects(m, id): return "\(m) proposed \(id); a proposer cancels rather than rejects."
        case let .consentGiven(m, id): return "\(m) has already consented to \(id)."
        case let .onlyProposerCancels(p, id): return "Only the proposer, \(p?.description ?? "nobody"), may cancel \(id); the other side rejects."
        case .expiresByItself: return "Proposals expire by themselves."
        case let .notDueToExpire(id, state): return "\(id) is \(state.rawValue) and not due to expire."
        case let .alreadyReversed(id, reason): return "\(id) was already reversed (\(reason)); an exchange is reversed only once."
        case let .reverseNeedsConfirmed(id, state): return "\(id) is \(state.rawValue); only a confirmed exchange can be reversed."
        case let .settledCannotReverse(name, id): return "\(name) has left and their balance was settled; \(id) can no longer be reversed."
        case let .consentNeedsMember(step): return "Name the party who \(step.rawValue)s (--as MEMBER); consent is given by a member."
        case let .notParty(m, id, step): return "\(m) does not take part in \(id) and cannot \(step.rawValue) it."
        case let .notProposed(id, state, step):
            let done = switch step {
            case .confirm: "confirmed"
            case .reject: "rejected"
            case .cancel: "cancelled"
            }
            return "\(id) is \(state.rawValue); only a proposed exchange can be \(done)."
        case .groupEmpty: return "An exchange needs at least one provider and one receiver."
        case let .groupShape(p, r):
            return "A group exchange has one provider and several receivers, or several providers and one receiver; not \(p) and \(r)."
        case let .groupTooLarge(most, got): return "A group exchange has at most \(most) members on its many side, not \(got)."
        case .groupDuplicate: return "A member is named twice on the same side of the exchange."
        case let .selfExchange(m): return "\(m) cannot both provide and receive in one exchange."
        case .poolInExchange: return "The pool takes part only in donations and grants, not in exchanges."
        case let .negativeCredits(c): return "Credits cannot be negative (\(c))."
        case .timeGift: return "Only space and goods can be gifts; a time exchange moves the credits of the time worked."
        case let .quantum(q, got): return "Credits are a multiple of \(q); \(got) is not."
        case let .largestExchange(most, got): return "One exchange moves at most \(most) per pair; \(got) is more."
        case let .quantityNotPositive(q): return "The quantity must be greater than zero, not \(q)."
        case let .quantityTooLarge(q, kind, most): return "The quantity \(q) \(kind.measure) is more than the largest allowed, \(most)."
        case let .equalTime(worked, credits):
            return "One hour is one hour: \(worked) worked is \(worked) of credits, not \(credits). Only a coordinator may record otherwise, with a reason."
        case let .futureDate(date, today): return "The exchange is dated \(date), in the future; today is \(today)."
        case let .backdated(date, days, earliest): return "The exchange is dated \(date), more than \(days) days ago; the earliest allowed date is \(earliest)."
        case let .pairCap(a, b, already, days, more, cap):
            return "\(a) and \(b) have exchanged \(already) in the last \(days) days; \(more) more would exceed the cap of \(cap)."
        case .transferNotPositive: return "A transfer moves a positive amount between two accounts."
        case .postingsUnbalanced: return "The postings do not sum to zero."
        case let .poolBelowFloor(holds, paying, to, floor): return "The pool holds \(holds); paying \(paying) would take it to \(to), below its floor of \(floor)."
        case let .belowFloor(name, posting, to, floor): return "Posting \(posting) would take \(name) to \(to), below the floor of \(floor)."
        case let .aboveCeiling(name, receiving, to, ceiling): return "Receiving \(receiving) would take \(name) to \(to), above the ceiling of \(ceiling)."

        case let .onlySelfDonates(m): return "Only \(m) or a coordinator may donate \(m)'s credits."
        case .poolDonatesToItself: return "The pool cannot donate to itself."
        case .grantNeedsCoordinator: return "Grants from the pool need a coordinator."
        case .poolGrantsToItself: return "The pool cannot grant to itself."
        case let .amountNotPositive(m): return "The amount must be greater than zero, not \(m)."
        case let .amountUnreadable(text): return "\"\(text)\" is not an amount of hours; write 1.5, 1:30 or 90m."
        case let .dateUnreadable(text): return "\"\(text)\" is not a date; write it as 2026-12-03."
        case let .daysUnreadable(text): return "\"\(text)\" is not a number of days; write a number, such as 30."

        case let .textForbidden(field, scalar, position):
            return "\(field.english) cannot contain control characters or direction overrides; it holds U+\(Reason.hex(scalar)) at position \(position)."
        case let .textEmpty(field): return "\(field.english) cannot be empty (or only invisible characters)."
        case let .textTooLong(field, most, got): return "\(field.english) is at most \(most) characters, not \(got)."

        case .poolPosts: return "The pool does not post offers or requests."
        case let .listingWithdrawn(id): return "\(id) was withdrawn; withdrawn listings stay in the history but do not change."
        case let .onlyAuthor(author, task): return "Only \(author), the author, or a coordinator may \(task.rawValue) this listing."
        case let .listingDays(most, got): return "A listing stays up 1 to \(most) days, not \(got)."
        case let .joinBeforePosting(m, ch): return "\(m) joins \(ch) before posting for it."
        case let .tooManyLinks(most, got): return "An exchange links at most \(most) offers or requests, not \(got)."
        case .linkedTwice: return "A listing is linked twice."
        case let .noneJoined(ch): return "No one in this exchange has joined \(ch); join it first."
        case let .withdrawnCannotFulfil(id): return "\(id) was withdrawn and cannot be fulfilled."
        case let .offerNeedsProvider(id, author): return "\(id) is \(author)'s offer; only an exchange \(author) provides in can fulfil it."
        case let .requestNeedsReceiver(id, author): return "\(id) is \(author)'s request; only an exchange \(author) receives in can fulfil it."
        case let .alreadyFulfilled(id, by): return "\(id) was already fulfilled by \(by)."

        case let .bookingCancelled(id): return "\(id) was cancelled."
        case let .sessionCredits(id, length, got): return "\(id) is a session of \(length), settled hour for hour with \(length) of credits, not \(got)."
        case .importSource: return "An imported exchange names its source file by its SHA-256 (64 hex digits) and a row from 1."
        case let .notOpenToIntroduce(id): return "\(id) is no longer open (withdrawn, fulfilled or expired); only open listings are introduced."
        case let .introduceToSelf(author): return "\(author) wrote both the request and the offer; an introduction is between two members."
        case let .alreadyIntroduced(request, offer): return "\(request) and \(offer) were introduced already."
        case let .bookingSettled(id, by): return "\(id) was already settled by \(by)."
        case let .bookingNotOver(id, date, end): return "\(id) ends \(date) at \(clock(end)); it is settled after the slot."
        case let .bookingSettlement(id, kind, owner, member):
            return "\(id) is settled by a \(kind.rawValue) exchange from \(owner?.description ?? "the offer's author") to \(member)."
        case let .sessionLength(least, most, quantum, got):
            return "A session lasts \(least) to \(most) minutes, in steps of \(quantum), not \(got)."
        case let .sessionNeeded(offer): return "\(offer) offers time: its hours need a session length (an expert's hour is booked a session at a time)."
        case let .questionNeeded(offer): return "A session of \(offer) is booked with the question you want to ask, in one line."
        case .questionOneLine: return "A question is one line."
        case .questionForSessions: return "A question goes with the booking of an expert's session, not of a space."
        case let .onlyOwnerSetsHours(author): return "Only \(author), whose space it is, or a coordinator sets its hours."
        case let .capacityRange(most, got): return "A capacity is 1 to \(most) people, not \(got)."
        case .hoursShape: return "Opening hours are 7 days of intervals within 00:00-24:00."
        case let .onlySelfBooks(m): return "Only \(m) or a coordinator books for \(m)."
        case let .noHours(offer): return "\(offer) has no opening hours yet; its author sets them with `space hours`."
        case let .ownSpace(m): return "\(m) cannot book their own space."
        case let .bookingDay(today, most, got): return "A booking is for today (\(today)) up to \(most) days ahead, not \(got)."
        case let .bookingTimes(start, end): return "A booking starts before it ends, within the day: not \(clock(start))-\(clock(end))."
        case let .skippedTime(date, minute, zone): return "On \(date), \(clock(minute)) does not exist in \(zone): the clocks go forward then."
        case let .slotOver(date, end): return "That slot is over: it ended on \(date) at \(clock(end))."
        case let .notOpen(offer, date, start, end): return "\(offer) is not open on \(date) from \(clock(start)) to \(clock(end))."
        case let .peopleRange(offer, capacity, got): return "\(offer) holds \(capacity) people; a booking is for 1 to \(capacity), not \(got)."
        case let .capacityFull(offer, capacity, booked, date, start, end, more):
            return "\(offer) holds \(capacity) people and \(booked) are already booked during \(clock(start))-\(clock(end)) on \(date); \(more) more would exceed it."
        case let .onlyBookerCancels(m, id): return "Only \(m), who booked, the space's owner or a coordinator cancels \(id)."
        case let .bookingAlreadyCancelled(id): return "\(id) was already cancelled."
        case let .bookingOver(id): return "\(id) is over; a past booking is not cancelled."
        case let .notSpace(id, kind): return "\(id) offers \(kind.rawValue), not space."
        case let .offerWithdrawn(id): return "\(id) was withdrawn."

        case let .onlyLenderRecords(lender): return "Only \(lender), the lender, or a coordinator may record this loan."
        case let .lendToSelf(lender): return "\(lender) cannot lend to themself."
        case .poolLends: return "The pool does not lend or borrow."
        case let .loanDue(today, most, got): return "A loan is due back from today (\(today)) to \(most) days later, not on \(got)."
        case let .notGoodsOffer(offer, lender): return "\(offer) is not an open goods offer of \(lender)."
        case let .onlyLenderReturns(lender, id): return "Only \(lender), the lender, or a coordinator records that \(id) came back."
        case let .alreadyReturned(id, on): return "\(id) was returned on \(on)."

        case let .onlySelfPostsChallenge(m): return "Only \(m) or a coordinator posts for \(m)."
        case let .challengeAuthorKind(m, kind): return "Challenges are posted by the municipality or an association; \(m) is a \(kind.rawValue)."
        case .challengeDomains: return "A challenge names one or more distinct policy domains."
        case let .challengeEnds(today, most, got): return "A challenge ends from today (\(today)) to \(most) days later, not on \(got)."
        case let .onlySelfJoins(m): return "Only \(m) or a coordinator joins for \(m)."
        case let .alreadyJoined(m, id): return "\(m) has already joined \(id)."
        case let .onlySelfPledges(m): return "Only \(m) or a coordinator pledges for \(m)."
        case let .joinBeforePledging(m, id): return "\(m) joins \(id) before pledging to it."
        case let .onlyAuthorCloses(author, id): return "Only \(author), who posted \(id), or a coordinator closes it."
        case let .challengeAlreadyClosed(id): return "\(id) is already closed."
        case let .challengeNotOpen(id, closed, ends): return "\(id) is \(closed ? "closed" : "over (it ended \(ends))")."

        case let .rangeReversed(from, to): return "The range ends (\(to)) before it starts (\(from))."
        case let .statisticsDays(d): return "Statistics cover 1970-01-01 to 2199-12-31, not \(d)."
        case let .rangeTooLong(most, from, to): return "A report covers at most \(most) days (about fifty years); \(from) to \(to) is longer."

        case let .noTokenForLeft(m): return "\(m) has left; no token is issued for them."
        case let .tokenExpiry(at, now): return "A token expires in the future, not at \(at) (now is \(now))."
        case let .tokenRevoked(id): return "Token \(id) was already revoked."
        case .searchNoWord: return "A search needs at least one word."
        case let .searchTooManyWords(most, got): return "A search has at most \(most) words, not \(got)."
        case let .noOpenRequest(id): return "There is no open request \(id)."
        case let .notExactHours(minutes, seq): return "\(minutes) minutes (at seq \(seq)) is not exact in hours with two decimals; export with --unit minutes."

        case let .loginLabel(label): return "A login's label is 1 to 30 lower-case letters, digits and dashes (as in hotel-aerts/front-desk), not \"\(label)\"."
        case let .loginRole(name, isCoordinator):
            return "\(name) is \(isCoordinator ? "a coordinator" : "a member")'s login; invite under another label for the other role."
        case let .passwordTooShort(least, got): return "A password has at least \(least) characters, not \(got)."
        case let .passwordTooLong(most, got): return "A password has at most \(most) characters, not \(got)."
        case .passwordCommon: return "This password is one of the most common ones; choose another."
        case .invitationUnknown: return "This invitation is not known; ask the coordinator for a new one."
        case .invitationUsed: return "This invitation was already used; sign in, or ask the coordinator for a new one."
        case let .invitationExpired(day): return "This invitation expired on \(day); ask the coordinator for a new one."
        case let .invitationDays(most, got): return "An invitation is valid for 1 to \(most) days, not \(got)."
        case let .noLoginForLeft(m): return "\(m) has left; no login is made for them."

        case let .nearFloor(name, at, margin, floor): return "\(name) is at \(at), within \(margin) of the floor of \(floor)."
        case let .nearCeiling(name, at, margin, ceiling): return "\(name) is at \(at), within \(margin) of the ceiling of \(ceiling)."

        case let .kept(text): return text
        }
    }

    /// A scalar as `U+` shows it: upper-case hex, at least four digits.
    static func hex(_ scalar: UInt32) -> String {
        let h = String(scalar, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}

extension Field {
    /// The field as the subject of an English sentence ("A title").
    public var english: String {
        switch self {
        case .id: return "An id"
        case .name: return "A name"
        case .kind: return "A kind"
        case .neighbourhood: return "A neighbourhood"
        case .domains, .domain: return "A domain"
        case .floor: return "A floor"
        case .ceiling: return "A ceiling"
        case .setting: return "A setting"
        case .value: return "A value"
        case .providers: return "The providers"
        case .receivers: return "The receivers"
        case .credits: return "The credits"
        case .quantity: return "The quantity"
        case .date: return "A date"
        case .what: return "A description"
        case .reason: return "A reason"
        case .session: return "A session length"
        case .question: return "A question"
        case .title: return "A title"
        case .text: return "A text"
        case .place: return "A place"
        case .availability: return "An availability"
        case .days: return "A number of days"
        case .links: return "The links"
        case .challenge: return "A challenge"
        case .capacity: return "A capacity"
        case .weekly: return "Opening hours"
        case .start: return "A start"
        case .end: return "An end"
        case .people: return "A number of people"
        case .due: return "A due day"
        case .ends: return "An end day"
        case .offer: return "An offer"
        case .member: return "A member"
        case .borrower: return "A borrower"
        case .label: return "A label"
        case .q: return "A search"
        case .password: return "A password"
        case .role: return "A role"
        }
    }
}
