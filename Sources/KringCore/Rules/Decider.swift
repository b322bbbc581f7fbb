/// The domain core: judges a command against the ledger as it stands and the policy in force,
/// and returns the one event that records it, or the first rule it breaks. Pure: no I/O, no
/// clock of its own (`now` is given).
public enum Decider {
    /// Longest display name.
    public static let maxNameLength = 100
    /// Longest description or reason.
    public static let maxTextLength = 500
    /// Most items of goods in one exchange.
    public static let maxItems: Int64 = 1_000_000

    /// Judges `command`, issued by `actor` at `now` (Unix seconds), against `view`. Its text is
    /// taken in Unicode NFC, so one name is one name however it was typed.
    /// - Parameter today: the day `now` falls on in the policy's zone, when the caller keeps it
    ///   (`ZoneDays`); worked out here otherwise.
    public static func decide(_ command: Command, by actor: Actor, in view: some LedgerView, now: Int64, today: Day? = nil) throws(Refusal) -> Decision {
        let command = command.normalizingText
        let policy = view.policy
        let today = today ?? policy.day(now)
        switch command {
        case .addMember(let d):
            try requireCoordinator(actor, .registerMembers)
            guard !d.id.isReserved else {
                throw .violation(.inputInvalid, .reservedHandle(d.id, reserved: MemberID.reserved.sorted()), field: .id)
            }
            guard try view.member(d.id) == nil else { throw .violation(.memberExists, .memberExists(d.id), field: .id) }
            guard d.kind != .pool else { throw .violation(.rulePool, .onePool, field: .kind) }
            try validateText(d.name, .name, max: maxNameLength)
            if let n = d.neighbourhood { try validateText(n, .neighbourhood, max: 60) }
            for dom in d.domains where !policy.domains.contains(dom) {
                throw .violation(.inputDomain, .notADomain(dom, domains: policy.domains), field: .domains)
            }
            let info = MemberInfo(id: d.id, name: d.name, kind: d.kind, neighbourhood: d.neighbourhood, domains: d.domains, joined: today)
            return Decision(event: .memberAdded(MemberAdded(member: info)))

        case .suspend(let id):
            try requireCoordinator(actor, .suspendMembers)
            let m = try member(id, in: view)
            guard m.status == .active else { throw .violation(.memberStatus, .notActiveToSuspend(name: m.info.name, status: m.status)) }
            guard m.info.kind != .pool else { throw .violation(.rulePool, .poolSuspended) }
            return Decision(event: .memberSuspended(MemberSuspended(id: id)))

        case .reinstate(let id):
            try requireCoordinator(actor, .reinstateMembers)
            let m = try member(id, in: view)
            guard m.status == .suspended else { throw .violation(.memberStatus, .notSuspendedToReinstate(name: m.info.name, status: m.status)) }
            return Decision(event: .memberReinstated(MemberReinstated(id: id)))

        case .leave(let id):
            guard actor.isCoordinator || actor.isMember(id) else { throw .violation(.ruleForbidden, .onlySelfEndsMembership(id)) }
            let m = try member(id, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, .poolLeaves) }
            guard m.status != .left else { throw .violation(.memberStatus, .alreadyLeft(name: m.info.name)) }
            guard let pool = try view.member(poolID) else { throw .violation(.memberNotFound, .noPool) }
            var settlement: Transfer?
            if m.balance.value > 0 {
                settlement = Transfer(from: id, to: poolID, minutes: m.balance)
            } else if m.balance.value < 0 {
                let debt = -m.balance
                let poolFloor = pool.floor(under: policy)
                guard pool.balance - debt >= poolFloor else {
                    throw .violation(.rulePool, .leaveDebt(name: m.info.name, debt: debt, pool: pool.balance, poolFloor: poolFloor))
                }
                settlement = Transfer(from: poolID, to: id, minutes: debt)
            }
            return Decision(event: .memberLeft(MemberLeft(id: id, settlement: settlement, cancelled: try view.openExchanges(of: id))))

        case .setLimits(let id, let floorChange, let ceilingChange):
            try requireCoordinator(actor, .changeLimits)
            var m = try member(id, in: view)
            guard m.status != .left else { throw .violation(.memberStatus, .limitsAfterLeaving(name: m.info.name)) }
            switch floorChange {
            case .keep: break
            case .clear: m.floorOverride = nil
            case .set(let f):
                guard f.value <= 0 else { throw .violation(.inputAmount, .floorAboveZero(f), field: .floor) }
                m.floorOverride = f
            }
            switch ceilingChange {
            case .keep: break
            case .clear: m.ceilingOverride = nil
            case .set(let c):
                guard c.value >= 0 else { throw .violation(.inputAmount, .ceilingBelowZero(c), field: .ceiling) }
                m.ceilingOverride = c
            }
            let floor = m.floor(under: policy)
            if m.balance < floor {
                throw .violation(.limitFloor, .floorAboveBalance(name: m.info.name, balance: m.balance, floor: floor), field: .floor)
            }
            if let c = m.ceiling(under: policy), m.balance > c {
                throw .violation(.limitCeiling, .ceilingBelowBalance(name: m.info.name, balance: m.balance, ceiling: c), field: .ceiling)
            }
            return Decision(event: .memberLimitsSet(MemberLimitsSet(id: id, floor: m.floorOverride, ceiling: m.ceilingOverride)))

        case .setPolicy(let p):
            try requireCoordinator(actor, .changePolicy)
            if let problem = p.problem { throw .violation(.inputPolicy, problem, field: .value) }
            return Decision(event: .policyChanged(PolicyChanged(policy: p)))

        case .propose(let draft):
            guard case .member(let proposer) = actor else {
                throw .violation(.ruleForbidden, .proposalNeedsProposer)
            }
            let info = try validate(draft, proposer: proposer, recordedReason: nil, actor: actor, view: view, now: now, today: today)
            guard info.parties.contains(proposer) else {
                throw .violation(.exchangeNotParty, .proposerNotParty(proposer))
            }
            return Decision(event: .exchangeProposed(ExchangeProposed(exchange: info)))

        case .record(let draft, let reason):
            try requireCoordinator(actor, .recordExchange)
            if let r = reason { try validateText(r, .reason, max: maxTextLength) }
            let info = try validate(draft, proposer: nil, recordedReason: reason, actor: actor, view: view, now: now, today: today)
            let warnings = try checkPosting(info.transfers, exchange: info, in: view, today: today)
            return Decision(event: .exchangeRecorded(ExchangeRecorded(exchange: info, reason: reason, transfers: info.transfers)), warnings: warnings)

        case .importExchange(let draft, let source, let row):
            try requireCoordinator(actor, .recordExchange)
            guard source.utf8.count == 64, source.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }), row >= 1 else {
                throw .violation(.inputInvalid, .importSource)
            }
            let info = try validate(draft, proposer: nil, recordedReason: nil, actor: actor, view: view, now: now, today: today, history: true)
            let imported = ImportSource(source: source, row: row)
            return Decision(event: .exchangeRecorded(ExchangeRecorded(exchange: info, reason: nil, transfers: info.transfers, imported: imported)))

        case .confirm(let id):
            let (x, m) = try openExchange(id, actor: actor, view: view, step: .confirm)
            guard !x.consents.contains(m) else { throw .violation(.exchangeState, .alreadyConsented(m, id, waitingFor: waitingFor(x))) }
            let remaining = waitingFor(x).filter { $0 != m }
            guard remaining.isEmpty else { return Decision(event: .exchangeConsented(ExchangeConsented(id: id, member: m))) }
            let warnings = try checkPosting(x.info.transfers, exchange: x.info, in: view, today: today)
            return Decision(event: .exchangeConfirmed(ExchangeConfirmed(id: id, by: .member(m), transfers: x.info.transfers)), warnings: warnings)

        case .reject(let id, let reason):
            let (x, m) = try openExchange(id, actor: actor, view: view, step: .reject)
            guard !x.consents.contains(m) else {
                throw .violation(.exchangeState, m == x.info.proposer ? .proposerRejects(m, id) : .consentGiven(m, id))
            }
            if let r = reason { try validateText(r, .reason, max: maxTextLength) }
            return Decision(event: .exchangeRejected(ExchangeRejected(id: id, by: m, reason: reason)))

        case .cancel(let id, let reason):
            let (x, m) = try openExchange(id, actor: actor, view: view, step: .cancel)
            guard x.info.proposer == m else { throw .violation(.ruleForbidden, .onlyProposerCancels(proposer: x.info.proposer, id)) }
            if let r = reason { try validateText(r, .reason, max: maxTextLength) }
            return Decision(event: .exchangeCancelled(ExchangeCancelled(id: id, by: m, reason: reason)))

        case .expire(let id):
            guard actor == .system || actor.isCoordinator else { throw .violation(.ruleForbidden, .expiresByItself) }
            guard let x = try view.exchange(id) else { throw .violation(.exchangeNotFound, .notFound(.exchange(id))) }
            guard x.state == .proposed, let at = x.info.expiresAt, at <= now else {
                throw .violation(.exchangeState, .notDueToExpire(id, x.state))
            }
            if policy.expiryAction == .autoConfirm {
                do {
                    let warnings = try checkPosting(x.info.transfers, exchange: x.info, in: view, today: today)
                    return Decision(event: .exchangeConfirmed(ExchangeConfirmed(id: id, by: .automatic, transfers: x.info.transfers)), warnings: warnings)
                } catch .rule(let v) {
                    return Decision(event: .exchangeExpired(ExchangeExpired(id: id, reason: v.description)))
                }
            }
            return Decision(event: .exchangeExpired(ExchangeExpired(id: id, reason: nil)))

        case .reverse(let id, let reason):
            try requireCoordinator(actor, .reverseExchange)
            try validateText(reason, .reason, max: maxTextLength)
            guard let x = try view.exchange(id) else { throw .violation(.exchangeNotFound, .notFound(.exchange(id))) }
            if x.state == .reversed { throw .violation(.ruleReversal, .alreadyReversed(id, reason: x.reversalReason ?? "")) }
            guard x.state == .confirmed else { throw .violation(.exchangeState, .reverseNeedsConfirmed(id, x.state)) }
            for p in x.info.parties {
                if let pm = try view.member(p), pm.status == .left {
                    throw .violation(.ruleInactive, .settledCannotReverse(name: pm.info.name, id))
                }
            }
            let back = x.info.transfers.map { Transfer(from: $0.to, to: $0.from, minutes: $0.minutes) }
            let warnings = try checkLimits(back, in: view)
            return Decision(event: .exchangeReversed(ExchangeReversed(id: id, reason: reason, transfers: back)), warnings: warnings)

        case .donate(let from, let minutes):
            guard actor.isCoordinator || actor.isMember(from) else { throw .violation(.ruleForbidden, .onlySelfDonates(from)) }
            let m = try member(from, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, .poolDonatesToItself) }
            try requireActive(m)
            try checkAmount(minutes, policy: policy)
            let t = Transfer(from: from, to: poolID, minutes: minutes)
            return Decision(event: .poolDonated(PoolDonated(transfer: t)), warnings: try checkLimits([t], in: view))

        case .grant(let to, let minutes, let reason):
            guard actor.isCoordinator else { throw .violation(.rulePool, .grantNeedsCoordinator) }
            let m = try member(to, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, .poolGrantsToItself) }
            try requireActive(m)
            try checkAmount(minutes, policy: policy)
            try validateText(reason, .reason, max: maxTextLength)
            let t = Transfer(from: poolID, to: to, minutes: minutes)
            return Decision(event: .poolGranted(PoolGranted(transfer: t, reason: reason)), warnings: try checkLimits([t], in: view))

        case .postListing, .editListing, .withdrawListing, .renewListing:
            return try decideListing(command, by: actor, in: view, today: today)

        case .lend, .returnLoan:
            return try decideLoan(command, by: actor, in: view, today: today)

        case .setSpaceHours, .book, .cancelBooking:
            return try decideSpace(command, by: actor, in: view, now: now, today: today)

        case .postChallenge, .joinChallenge, .pledge, .closeChallenge:
            return try decideChallenge(command, by: actor, in: view, today: today)

        case .introduce(let request, let offer):
            return try decideIntroduction(request: request, offer: offer, by: actor, in: view, today: today)
        }
    }

    // MARK: - Exchanges

    /// The static rules of an exchange: parties, self, text, domain, amount, quantum, maximum,
    /// equal time, date; and that every party may transact.
    /// The exchange rules for a draft. `history`: an exchange of another time bank's past,
    /// imported under the exemption docs/import.md states (no quantum, no largest exchange, no
    /// backdating window; the limits and pair cap are not checked by the caller either).
    static func validate(_ d: ExchangeDraft, proposer: MemberID?, recordedReason: String?, actor: Actor,
                         view: some LedgerView, now: Int64, today: Day, history: Bool = false) throws(Refusal) -> ExchangeInfo {
        let policy = view.policy
        guard !d.providers.isEmpty, !d.receivers.isEmpty else {
            throw .violation(.inputGroup, .groupEmpty, field: .providers)
        }
        guard d.providers.count == 1 || d.receivers.count == 1 else {
            throw .violation(.inputGroup, .groupShape(providers: d.providers.count, receivers: d.receivers.count), field: .receivers)
        }
        let many = Int64(max(d.providers.count, d.receivers.count))
        guard many <= policy.maxGroupSize else {
            throw .violation(.inputGroup, .groupTooLarge(most: policy.maxGroupSize, got: many), field: d.providers.count > 1 ? .providers : .receivers)
        }
        guard Set(d.providers).count == d.providers.count, Set(d.receivers).count == d.receivers.count else {
            throw .violation(.inputGroup, .groupDuplicate)
        }
        if let both = d.providers.first(where: { d.receivers.contains($0) }) {
            throw .violation(.ruleSelf, .selfExchange(both), field: .receivers)
        }
        for id in d.providers + d.receivers {
            let m = try member(id, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, .poolInExchange) }
            try requireActive(m)
        }
        try validateText(d.what, .what, max: maxTextLength)
        guard policy.domains.contains(d.domain) else {
            throw .violation(.inputDomain, .notADomain(d.domain, domains: policy.domains), field: .domain)
        }
        let credits = d.credits
        guard credits.value >= 0 else { throw .violation(.inputAmount, .negativeCredits(credits), field: .credits) }
        if d.kind == .time, credits.value == 0 {
            throw .violation(.inputAmount, .timeGift, field: .credits)
        }
        guard history || credits.value % policy.quantumMinutes == 0 else {
            throw .violation(.ruleQuantum, .quantum(Minutes(policy.quantumMinutes), got: credits), field: .credits)
        }
        guard history || credits.value <= policy.maxExchangeMinutes else {
            throw .violation(.ruleMaxExchange, .largestExchange(Minutes(policy.maxExchangeMinutes), got: credits), field: .credits)
        }
        let quantity: Int64
        switch d.kind {
        case .time: quantity = d.quantity ?? credits.value
        case .space: quantity = d.quantity ?? (credits.value > 0 ? credits.value : 60)
        case .goods: quantity = d.quantity ?? 1
        }
        guard quantity > 0 else { throw .violation(.inputAmount, .quantityNotPositive(quantity), field: .quantity) }
        let maxQuantity = history ? Int64.max : d.kind == .goods ? maxItems : 7 * 24 * 60
        guard quantity <= maxQuantity else {
            throw .violation(.inputAmount, .quantityTooLarge(quantity, d.kind, most: maxQuantity), field: .quantity)
        }
        if d.kind == .time, policy.equalTime, quantity != credits.value {
            let coordinatorWithReason = actor.isCoordinator && !(recordedReason ?? "").isEmpty
            guard coordinatorWithReason else {
                throw .violation(.ruleEqualTime, .equalTime(worked: Minutes(quantity), credits: credits), field: .credits)
            }
        }
        let date = d.date ?? today
        guard date <= today else { throw .violation(.ruleDate, .futureDate(date, today: today), field: .date) }
        let earliest = today - policy.backdatingDays
        guard history || date >= earliest else {
            throw .violation(.ruleDate, .backdated(date, days: policy.backdatingDays, earliest: earliest), field: .date)
        }
        try validateLinks(d, in: view, now: now, today: today)
        let id = ExchangeID(uncheckedNumber: try view.nextExchangeNumber)
        let expires = proposer == nil ? nil : now + policy.proposalExpiryDays * 86_400
        return ExchangeInfo(id: id, proposer: proposer, providers: d.providers, receivers: d.receivers, kind: d.kind,
                            domain: d.domain, what: d.what, credits: credits, quantity: quantity, date: date, expiresAt: expires,
                            links: d.links)
    }

    /// The rules checked when credits move: every party active, the pair cap, and the limits.
    static func checkPosting(_ transfers: [Transfer], exchange: ExchangeInfo, in view: some LedgerView, today: Day) throws(Refusal) -> [Warning] {
        let policy = view.policy
        for id in exchange.parties {
            try requireActive(try member(id, in: view))
        }
        let since = today - (policy.pairWindowDays - 1)
        for t in transfers {
            let already = try view.pairMinutes(t.from, t.to, since: since)
            if already.value + t.minutes.value > policy.pairCapMinutes {
                let a = try view.member(t.to)?.info.name ?? t.to.handle, b = try view.member(t.from)?.info.name ?? t.from.handle
                throw .violation(.rulePairCap, .pairCap(name: a, other: b, already: already, days: policy.pairWindowDays, more: t.minutes, cap: Minutes(policy.pairCapMinutes)), field: .credits)
            }
        }
        return try checkLimits(transfers, in: view)
    }

    /// Floors and ceilings of every account the transfers move, on the net change of each. A
    /// posting that moves a balance towards its bounds is allowed even when the balance is
    /// still outside them (after a limit was tightened).
    static func checkLimits(_ transfers: [Transfer], in view: some LedgerView) throws(Refusal) -> [Warning] {
        let policy = view.policy
        var order = [MemberID]()
        var delta = [MemberID: Int64]()
        for t in transfers {
            guard t.minutes.value > 0, t.from != t.to else { throw .violation(.ledgerUnbalanced, .transferNotPositive) }
            if delta[t.from] == nil { order.append(t.from) }
            delta[t.from, default: 0] -= t.minutes.value
            if delta[t.to] == nil { order.append(t.to) }
            delta[t.to, default: 0] += t.minutes.value
        }
        guard delta.values.reduce(0, +) == 0 else { throw .violation(.ledgerUnbalanced, .postingsUnbalanced) }
        var warnings = [Warning]()
        let margin = policy.warningMarginMinutes
        for id in order {
            let d = delta[id]!
            guard d != 0, let m = try view.member(id) else { continue }
            let new = m.balance + Minutes(d)
            let name = m.info.name
            if d < 0 {
                let floor = m.floor(under: policy)
                if new < floor {
                    if m.info.kind == .pool {
                        throw .violation(.rulePool, .poolBelowFloor(holds: m.balance, paying: Minutes(-d), to: new, floor: floor))
                    }
                    throw .violation(.limitFloor, .belowFloor(name: name, posting: Minutes(-d), to: new, floor: floor))
                }
                if m.info.kind != .pool, (new - floor).value <= margin {
                    warnings.append(Warning(code: .nearFloor, reason: .nearFloor(name: name, at: new, margin: Minutes(margin), floor: floor)))
                }
            } else if let ceiling = m.ceiling(under: policy) {
                if new > ceiling {
                    throw .violation(.limitCeiling, .aboveCeiling(name: name, receiving: Minutes(d), to: new, ceiling: ceiling))
                }
                if (ceiling - new).value <= margin {
                    warnings.append(Warning(code: .nearCeiling, reason: .nearCeiling(name: name, at: new, margin: Minutes(margin), ceiling: ceiling)))
                }
            }
        }
        return warnings
    }

    private static func openExchange(_ id: ExchangeID, actor: Actor, view: some LedgerView, step: ConsentStep) throws(Refusal) -> (ExchangeRecord, MemberID) {
        guard case .member(let m) = actor else {
            throw .violation(.ruleForbidden, .consentNeedsMember(step))
        }
        guard let x = try view.exchange(id) else { throw .violation(.exchangeNotFound, .notFound(.exchange(id))) }
        guard x.info.parties.contains(m) else { throw .violation(.exchangeNotParty, .notParty(m, id, step)) }
        guard x.state == .proposed else { throw .violation(.exchangeState, .notProposed(id, x.state, step)) }
        return (x, m)
    }

    /// Parties whose consent is still missing.
    static func waitingFor(_ x: ExchangeRecord) -> [MemberID] {
        x.info.parties.filter { !x.consents.contains($0) }
    }

    // MARK: - Small checks

    static func member(_ id: MemberID, in view: some LedgerView) throws(Refusal) -> MemberState {
        guard let m = try view.member(id) else { throw .violation(.memberNotFound, .notFound(.member(id))) }
        return m
    }

    static func requireActive(_ m: MemberState) throws(Refusal) {
        guard m.status == .active else {
            throw .violation(.ruleInactive, .inactive(name: m.info.name, status: m.status))
        }
    }

    static func requireCoordinator(_ actor: Actor, _ task: CoordinatorTask) throws(Refusal) {
        guard actor.isCoordinator else { throw .violation(.ruleForbidden, .coordinatorOnly(task)) }
    }

    static func checkAmount(_ minutes: Minutes, policy: Policy) throws(Refusal) {
        guard minutes.value > 0 else { throw .violation(.inputAmount, .amountNotPositive(minutes), field: .credits) }
        guard minutes.value % policy.quantumMinutes == 0 else {
            throw .violation(.ruleQuantum, .quantum(Minutes(policy.quantumMinutes), got: minutes), field: .credits)
        }
    }

    /// People's text (names, titles, descriptions, places, reasons): no control characters (C0,
    /// DEL, C1) and no bidirectional overrides, embeddings or isolates, which can make text read
    /// otherwise than it is stored; not empty once invisible characters are taken away; at most
    /// `max` characters. It arrives here in NFC (`Command.normalizingText`).
    static func validateText(_ s: String, _ field: Field, max: Int) throws(Refusal) {
        if let (i, bad) = s.unicodeScalars.enumerated().first(where: { Decider.isForbidden($0.element) }) {
            throw .violation(.inputText, .textForbidden(field, scalar: bad.value, position: i + 1), field: field)
        }
        guard s.unicodeScalars.contains(where: { !Decider.isInvisible($0) }) else {
            throw .violation(.inputText, .textEmpty(field), field: field)
        }
        guard s.count <= max else { throw .violation(.inputInvalid, .textTooLong(field, most: max, got: s.count), field: field) }
    }

    /// Control characters and the bidirectional formatting that overrides, embeds or isolates.
    static func isForbidden(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F...0x9F).contains(c.value) || (0x202A...0x202E).contains(c.value) || (0x2066...0x2069).contains(c.value)
    }

    /// Characters that show nothing: spaces and other white space, and format characters such
    /// as the zero-width space and joiners, the soft hyphen, the byte order mark and fillers.
    static func isInvisible(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || c.properties.generalCategory == .format || [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800].contains(c.value)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
