import Foundation
import KringCore
import KringTestSupport
import Testing

/// The sentence tables: every reason has a sentence in each language, each names the same
/// numbers, ids and days, and the list of examples below covers every case of `Reason`.
@Suite struct SentenceTests {
    static let day = Day(iso: "2026-11-02")!, later = Day(iso: "2027-01-15")!
    static let an: MemberID = "an-peeters", bo: MemberID = "bo-smet"
    static let x: ExchangeID = "ex-12", of: ListingID = "of-3", rq: ListingID = "rq-4"
    static let bk: BookingID = "bk-5", ln: LoanID = "ln-6", ch: ChallengeID = "ch-7", tk: TokenID = "tk-8"
    static let m90 = Minutes(90), m75 = Minutes(-1_275), m20 = Minutes(-1_200)

    /// One example of every case (the coverage test reads the enum's source to check).
    static let examples: [Reason] = [
        .reservedHandle("auto", reserved: ["auto", "coordinator", "system"]), .memberExists(an), .onePool,
        .notActiveToSuspend(name: "An Peeters", status: .left), .poolSuspended, .notSuspendedToReinstate(name: "An Peeters", status: .active),
        .onlySelfEndsMembership(an), .poolLeaves, .alreadyLeft(name: "An Peeters"), .noPool,
        .leaveDebt(name: "An Peeters", debt: m90, pool: Minutes(30), poolFloor: m20), .limitsAfterLeaving(name: "An Peeters"),
        .floorAboveZero(m90), .ceilingBelowZero(m20), .floorAboveBalance(name: "An Peeters", balance: m75, floor: m20),
        .ceilingBelowBalance(name: "An Peeters", balance: m90, ceiling: Minutes(60)), .inactive(name: "An Peeters", status: .suspended),
        .coordinatorOnly(.changeLimits), .notFound(.member(an)), .notFound(.exchange(x)), .notFound(.listing(rq)), .notFound(.offer(of)),
        .notFound(.booking(bk)), .notFound(.loan(ln)), .notFound(.challenge(ch)), .notFound(.token(tk)),
        .notADomain("sport", domains: ["care", "culture"]),
        .policyQuantum(Minutes(1_500)), .policyLargestExchange(Minutes(0)), .policyPairCap(Minutes(-30)), .policyWarningMargin(Minutes(-15)),
        .policyDays(.backdating, least: 0, most: 3_650, got: 4_000), .policyGroupSize(most: 500, got: 501), .policyDomains(["Care", "care"]),
        .policyNoLimits(.company), .policyFloor(.association, Minutes(120)), .policyCeiling(.person, Minutes(-60)), .policyEarnedFloor,
        .policyAmount(setting: "quantum", value: "abc"), .policyWholeNumber(setting: "max-group", value: "2.5"),
        .policyOnOff(setting: "equal-time", value: "yes"), .policyExpiryAction(value: "wait"), .policyTimeZone(value: "Mars/Olympus"), .policyEarnedFloorText(value: "5h"),
        .policyUnknownSetting("colour", known: ["quantum", "pair-cap"]),
        .proposalNeedsProposer, .proposerNotParty(an), .alreadyConsented(an, x, waitingFor: [bo]), .proposerRejects(an, x), .consentGiven(bo, x),
        .onlyProposerCancels(proposer: an, x), .expiresByItself, .notDueToExpire(x, .confirmed), .alreadyReversed(x, reason: "entered twice"),
        .reverseNeedsConfirmed(x, .proposed), .settledCannotReverse(name: "Bo Smet", x), .consentNeedsMember(.reject), .notParty(bo, x, .confirm),
        .notProposed(x, .expired, .cancel), .groupEmpty, .groupShape(providers: 2, receivers: 3), .groupTooLarge(most: 20, got: 21),
        .groupDuplicate, .selfExchange(an), .poolInExchange, .negativeCredits(Minutes(-60)), .timeGift, .quantum(Minutes(15), got: Minutes(50)),
        .largestExchange(Minutes(1_440), got: Minutes(1_500)), .quantityNotPositive(0), .quantityTooLarge(2_000_000, .goods, most: 1_000_000),
        .equalTime(worked: m90, credits: Minutes(120)), .futureDate(later, today: day), .backdated(day, days: 30, earliest: Day(iso: "2026-12-16")!),
        .pairCap(name: "An Peeters", other: "Bo Smet", already: Minutes(2_400), days: 30, more: m90, cap: Minutes(2_400)),
        .transferNotPositive, .postingsUnbalanced, .poolBelowFloor(holds: Minutes(60), paying: m90, to: Minutes(-30), floor: .zero),
        .belowFloor(name: "An Peeters", posting: m90, to: m75, floor: m20), .aboveCeiling(name: "Bo Smet", receiving: m90, to: Minutes(3_090), ceiling: Minutes(3_000)),
        .onlySelfDonates(an), .poolDonatesToItself, .grantNeedsCoordinator, .poolGrantsToItself, .amountNotPositive(.zero), .amountUnreadable("abc"), .dateUnreadable("gisteren"), .daysUnreadable("dertig"),
        .textForbidden(.title, scalar: 0x202E, position: 4), .textEmpty(.name), .textTooLong(.what, most: 500, got: 501),
        .poolPosts, .listingWithdrawn(of), .onlyAuthor(an, .renew), .listingDays(most: 365, got: 400), .joinBeforePosting(an, ch),
        .tooManyLinks(most: 4, got: 5), .linkedTwice, .noneJoined(ch), .withdrawnCannotFulfil(rq), .offerNeedsProvider(of, author: an),
        .requestNeedsReceiver(rq, author: bo), .alreadyFulfilled(rq, by: x),
        .bookingCancelled(bk), .bookingSettled(bk, by: x), .bookingNotOver(bk, date: later, end: 720), .bookingSettlement(bk, kind: .space, owner: an, member: bo),
        .bookingSettlement(bk, kind: .time, owner: nil, member: bo), .sessionLength(least: 15, most: 480, quantum: 15, got: 50), .sessionNeeded(of),
        .questionNeeded(of), .questionOneLine, .notOpenToIntroduce(rq), .importSource, .sessionCredits(bk, length: Minutes(60), got: Minutes(30)), .introduceToSelf(an), .alreadyIntroduced(request: rq, offer: of), .coordinatorOnly(.introduceMembers), .questionForSessions, .skippedTime(date: later, minute: 150, zone: "Europe/Brussels"), .slotOver(date: day, end: 600),
        .onlyOwnerSetsHours(an), .capacityRange(most: 10_000, got: 0), .hoursShape, .onlySelfBooks(bo), .noHours(of), .ownSpace(an),
        .bookingDay(today: day, most: 365, got: Day(iso: "2028-01-01")!), .bookingTimes(start: 720, end: 600),
        .notOpen(of, date: later, start: 1_200, end: 1_320), .peopleRange(of, capacity: 12, got: 13),
        .capacityFull(of, capacity: 12, booked: 9, date: later, start: 600, end: 720, more: 4), .onlyBookerCancels(bo, bk),
        .bookingAlreadyCancelled(bk), .bookingOver(bk), .notSpace(of, .goods), .offerWithdrawn(of),
        .onlyLenderRecords(an), .lendToSelf(an), .poolLends, .loanDue(today: day, most: 365, got: Day(iso: "2026-10-01")!),
        .notGoodsOffer(of, lender: an), .onlyLenderReturns(an, ln), .alreadyReturned(ln, on: later),
        .onlySelfPostsChallenge(an), .challengeAuthorKind(an, .person), .challengeDomains, .challengeEnds(today: day, most: 730, got: Day(iso: "2030-01-01")!),
        .onlySelfJoins(bo), .alreadyJoined(bo, ch), .onlySelfPledges(bo), .joinBeforePledging(bo, ch), .onlyAuthorCloses(an, ch),
        .challengeAlreadyClosed(ch), .challengeNotOpen(ch, closed: false, ends: day),
        .rangeReversed(from: later, to: day), .statisticsDays(Day(iso: "2200-01-01")!), .rangeTooLong(most: 18_262, from: day, to: Day(iso: "2099-01-01")!),
        .noTokenForLeft(an), .tokenExpiry(at: 1_790_000_000, now: 1_800_000_000), .tokenRevoked(tk), .searchNoWord,
        .searchTooManyWords(most: 16, got: 17), .noOpenRequest(rq), .notExactHours(minutes: 7, seq: 42),
        .loginLabel("Front Desk"), .loginRole(name: "hotel-aerts/balie", isCoordinator: false), .passwordTooShort(least: 10, got: 7),
        .passwordTooLong(most: 200, got: 201), .passwordCommon, .invitationUnknown, .invitationUsed, .invitationExpired(day),
        .invitationDays(most: 90, got: 91), .noLoginForLeft(an), .notFound(.login("lg-9")),
        .nearFloor(name: "An Peeters", at: Minutes(-1_110), margin: Minutes(120), floor: m20),
        .nearCeiling(name: "Bo Smet", at: Minutes(2_940), margin: Minutes(120), ceiling: Minutes(3_000)),
        .kept("A sentence an earlier version kept."),
    ]

    /// The numbers a sentence names, decimal commas read as points: `1,5 u` and `1.5 h` both
    /// give "1.5"; ids, days and clock times give their digits.
    static func numbers(_ s: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "[0-9]+(?:[.,][0-9]+)?")
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length))
            .map { ns.substring(with: $0.range).replacingOccurrences(of: ",", with: ".") }.sorted()
    }

    @Test func everyReasonHasASentenceInEachLanguageNamingTheSameNumbers() {
        for r in Self.examples {
            let en = r.sentence(in: .en), nl = r.sentence(in: .nl)
            #expect(!en.isEmpty && !nl.isEmpty, "\(r)")
            #expect(en.last == "." && nl.last == ".", "\(r): \(en) / \(nl)")
            if case .kept = r { #expect(nl == en); continue }
            #expect(en != nl, "\(r) has no Dutch sentence: \(en)")
            #expect(Self.numbers(en) == Self.numbers(nl), "\(r): \(en) / \(nl)")
            #expect(!nl.contains(" h ") && !nl.hasSuffix(" h."), "\(r): Dutch writes hours as u: \(nl)")
        }
    }

    @Test func theExamplesCoverEveryCase() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/KringCore/Rules/Reason.swift"), encoding: .utf8)
        let body = source.components(separatedBy: "public enum Reason")[1].components(separatedBy: "\n}\n")[0]
        let declared = Set(body.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("case "), let first = t.dropFirst(5).first, first.isLetter else { return nil }
            return String(t.dropFirst(5).prefix { $0.isLetter || $0.isNumber })
        })
        let named = Set(Self.examples.map { r -> String in
            Mirror(reflecting: r).children.first?.label ?? String(describing: r)
        })
        #expect(declared.count > 140)
        #expect(declared == named, "without an example: \(declared.subtracting(named).sorted()); unknown: \(named.subtracting(declared).sorted())")
    }

    @Test func amountsAreWrittenInEachLanguagesWay() {
        #expect(Minutes(90).description == "1.5 h" && Minutes(90).dutch == "1,5 u")
        #expect(Minutes(-1_275).dutch == "-21.25 u".replacingOccurrences(of: ".", with: ","))
        #expect(Minutes(67).dutch == "1 u 07 min" && Minutes(67).description == "1 h 07 min")
        #expect(Reason.belowFloor(name: "An", posting: Minutes(180), to: Minutes(-1_260), floor: Minutes(-1_200)).sentence(in: .nl)
                == "3 u boeken zou An op -21 u brengen, onder de ondergrens van -20 u.")
    }

    @Test func aRefusalNamesTheFieldItConcerns() {
        var c = Core()
        do { try c.run(.propose(time(["an"], ["bram"], 60, date: c.today + 3)), by: .member("an")); Issue.record("accepted") } catch {
            #expect(error.code == .ruleDate && error.field == .date)
            #expect(error.sentence(in: .nl) == "De uitwisseling is gedateerd op \(c.today + 3), in de toekomst; vandaag is het \(c.today).")
        }
        do { try c.run(.record(time(["an"], ["bram"], 50), reason: nil)); Issue.record("accepted") } catch {
            #expect(error.code == .ruleQuantum && error.field == .credits)
        }
        do { try c.run(.suspend("stad")); try c.run(.suspend("stad")); Issue.record("accepted") } catch {
            #expect(error.code == .memberStatus && error.field == nil)
        }
    }
}
