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
    public static func decide(_ command: Command, by actor: Actor, in view: some LedgerView, now: Int64) throws(Refusal) -> Decision {
        let command = command.normalizingText
        let policy = view.policy
        let today = Day(timestamp: now)
        switch command {
        case .addMember(let d):
            try requireCoordinator(actor, "register members")
            guard !d.id.isReserved else {
                throw .violation(.inputInvalid, "\(d.id) names an actor of the journal (\(MemberID.reserved.sorted().joined(separator: ", "))) and cannot be a member's id.")
            }
            guard try view.member(d.id) == nil else { throw .violation(.memberExists, "A member with id \(d.id) already exists.") }
            guard d.kind != .pool else { throw .violation(.rulePool, "There is exactly one pool; it was created with the ledger.") }
            try validateText(d.name, what: "A name", max: maxNameLength)
            if let n = d.neighbourhood { try validateText(n, what: "A neighbourhood", max: 60) }
            for dom in d.domains where !policy.domains.contains(dom) {
                throw .violation(.inputDomain, "\(dom) is not a policy domain; the domains are \(policy.domains.joined(separator: ", ")).")
            }
            let info = MemberInfo(id: d.id, name: d.name, kind: d.kind, neighbourhood: d.neighbourhood, domains: d.domains, joined: today)
            return Decision(event: .memberAdded(info))

        case .suspend(let id):
            try requireCoordinator(actor, "suspend members")
            let m = try member(id, in: view)
            guard m.status == .active else { throw .violation(.memberStatus, "\(m.info.name) is \(m.status.rawValue), not active; only an active member can be suspended.") }
            guard m.info.kind != .pool else { throw .violation(.rulePool, "The pool cannot be suspended.") }
            return Decision(event: .memberSuspended(id: id))

        case .reinstate(let id):
            try requireCoordinator(actor, "reinstate members")
            let m = try member(id, in: view)
            guard m.status == .suspended else { throw .violation(.memberStatus, "\(m.info.name) is \(m.status.rawValue), not suspended; only a suspended member can be reinstated.") }
            return Decision(event: .memberReinstated(id: id))

        case .leave(let id):
            guard actor.isCoordinator || actor.isMember(id) else { throw .violation(.ruleForbidden, "Only \(id) or a coordinator may end \(id)'s membership.") }
            let m = try member(id, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, "The pool cannot leave.") }
            guard m.status != .left else { throw .violation(.memberStatus, "\(m.info.name) has already left.") }
            guard let pool = try view.member(poolID) else { throw .violation(.memberNotFound, "The ledger has no pool; run init.") }
            var settlement: Transfer?
            if m.balance.value > 0 {
                settlement = Transfer(from: id, to: poolID, minutes: m.balance)
            } else if m.balance.value < 0 {
                let debt = -m.balance
                let poolFloor = pool.floor(under: policy)
                guard pool.balance - debt >= poolFloor else {
                    throw .violation(.rulePool, "\(m.info.name) leaves with a debt of \(debt); the pool holds \(pool.balance) and may not go below \(poolFloor). Donate to the pool first.")
                }
                settlement = Transfer(from: poolID, to: id, minutes: debt)
            }
            return Decision(event: .memberLeft(id: id, settlement: settlement, cancelled: try view.openExchanges(of: id)))

        case .setLimits(let id, let floorChange, let ceilingChange):
            try requireCoordinator(actor, "change a member's limits")
            var m = try member(id, in: view)
            guard m.status != .left else { throw .violation(.memberStatus, "\(m.info.name) has left; their limits no longer apply.") }
            switch floorChange {
            case .keep: break
            case .clear: m.floorOverride = nil
            case .set(let f):
                guard f.value <= 0 else { throw .violation(.inputAmount, "A floor is zero or below, not \(f).") }
                m.floorOverride = f
            }
            switch ceilingChange {
            case .keep: break
            case .clear: m.ceilingOverride = nil
            case .set(let c):
                guard c.value >= 0 else { throw .violation(.inputAmount, "A ceiling is zero or above, not \(c).") }
                m.ceilingOverride = c
            }
            let floor = m.floor(under: policy)
            if m.balance < floor {
                throw .violation(.limitFloor, "\(m.info.name)'s balance is \(m.balance); a floor of \(floor) would leave it below the floor.")
            }
            if let c = m.ceiling(under: policy), m.balance > c {
                throw .violation(.limitCeiling, "\(m.info.name)'s balance is \(m.balance); a ceiling of \(c) would leave it above the ceiling.")
            }
            return Decision(event: .memberLimitsSet(id: id, floor: m.floorOverride, ceiling: m.ceilingOverride))

        case .setPolicy(let p):
            try requireCoordinator(actor, "change the policy")
            if let problem = p.problem { throw .violation(.inputPolicy, problem) }
            return Decision(event: .policyChanged(policy: p))

        case .propose(let draft):
            guard case .member(let proposer) = actor else {
                throw .violation(.ruleForbidden, "A proposal is made by one of its parties; name who proposes (--as MEMBER), or record it as coordinator.")
            }
            let info = try validate(draft, proposer: proposer, recordedReason: nil, actor: actor, view: view, now: now)
            guard info.parties.contains(proposer) else {
                throw .violation(.exchangeNotParty, "\(proposer) is not a provider or receiver of this exchange and cannot propose it.")
            }
            return Decision(event: .exchangeProposed(info))

        case .record(let draft, let reason):
            try requireCoordinator(actor, "record an exchange with both consents")
            if let r = reason { try validateText(r, what: "A reason", max: maxTextLength) }
            let info = try validate(draft, proposer: nil, recordedReason: reason, actor: actor, view: view, now: now)
            let warnings = try checkPosting(info.transfers, exchange: info, in: view, today: today)
            return Decision(event: .exchangeRecorded(info, reason: reason, transfers: info.transfers), warnings: warnings)

        case .confirm(let id):
            let (x, m) = try openExchange(id, actor: actor, view: view, verb: "confirm")
            guard !x.consents.contains(m) else { throw .violation(.exchangeState, "\(m) has already consented to \(id); it waits for \(waitingFor(x).map(\.handle).joined(separator: ", ")).") }
            let remaining = waitingFor(x).filter { $0 != m }
            guard remaining.isEmpty else { return Decision(event: .exchangeConsented(id: id, member: m)) }
            let warnings = try checkPosting(x.info.transfers, exchange: x.info, in: view, today: today)
            return Decision(event: .exchangeConfirmed(id: id, by: .member(m), transfers: x.info.transfers), warnings: warnings)

        case .reject(let id):
            let (x, m) = try openExchange(id, actor: actor, view: view, verb: "reject")
            guard !x.consents.contains(m) else {
                throw .violation(.exchangeState, m == x.info.proposer ? "\(m) proposed \(id); a proposer cancels rather than rejects." : "\(m) has already consented to \(id).")
            }
            return Decision(event: .exchangeRejected(id: id, by: m))

        case .cancel(let id):
            let (x, m) = try openExchange(id, actor: actor, view: view, verb: "cancel")
            guard x.info.proposer == m else { throw .violation(.ruleForbidden, "Only the proposer, \(x.info.proposer?.handle ?? "nobody"), may cancel \(id); the other side rejects.") }
            return Decision(event: .exchangeCancelled(id: id, by: m))

        case .expire(let id):
            guard actor == .system || actor.isCoordinator else { throw .violation(.ruleForbidden, "Proposals expire by themselves.") }
            guard let x = try view.exchange(id) else { throw .violation(.exchangeNotFound, "There is no exchange \(id).") }
            guard x.state == .proposed, let at = x.info.expiresAt, at <= now else {
                throw .violation(.exchangeState, "\(id) is \(x.state.rawValue) and not due to expire.")
            }
            if policy.expiryAction == .autoConfirm {
                do {
                    let warnings = try checkPosting(x.info.transfers, exchange: x.info, in: view, today: today)
                    return Decision(event: .exchangeConfirmed(id: id, by: .automatic, transfers: x.info.transfers), warnings: warnings)
                } catch .rule(let v) {
                    return Decision(event: .exchangeExpired(id: id, reason: v.description))
                }
            }
            return Decision(event: .exchangeExpired(id: id, reason: nil))

        case .reverse(let id, let reason):
            try requireCoordinator(actor, "reverse an exchange")
            try validateText(reason, what: "A reason", max: maxTextLength)
            guard let x = try view.exchange(id) else { throw .violation(.exchangeNotFound, "There is no exchange \(id).") }
            if x.state == .reversed { throw .violation(.ruleReversal, "\(id) was already reversed (\(x.reversalReason ?? "")); an exchange is reversed only once.") }
            guard x.state == .confirmed else { throw .violation(.exchangeState, "\(id) is \(x.state.rawValue); only a confirmed exchange can be reversed.") }
            for p in x.info.parties {
                if let pm = try view.member(p), pm.status == .left {
                    throw .violation(.ruleInactive, "\(pm.info.name) has left and their balance was settled; \(id) can no longer be reversed.")
                }
            }
            let back = x.info.transfers.map { Transfer(from: $0.to, to: $0.from, minutes: $0.minutes) }
            let warnings = try checkLimits(back, in: view)
            return Decision(event: .exchangeReversed(id: id, reason: reason, transfers: back), warnings: warnings)

        case .donate(let from, let minutes):
            guard actor.isCoordinator || actor.isMember(from) else { throw .violation(.ruleForbidden, "Only \(from) or a coordinator may donate \(from)'s credits.") }
            let m = try member(from, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, "The pool cannot donate to itself.") }
            try requireActive(m)
            try checkAmount(minutes, policy: policy)
            let t = Transfer(from: from, to: poolID, minutes: minutes)
            return Decision(event: .poolDonated(t), warnings: try checkLimits([t], in: view))

        case .grant(let to, let minutes, let reason):
            guard actor.isCoordinator else { throw .violation(.rulePool, "Grants from the pool need a coordinator.") }
            let m = try member(to, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, "The pool cannot grant to itself.") }
            try requireActive(m)
            try checkAmount(minutes, policy: policy)
            try validateText(reason, what: "A reason", max: maxTextLength)
            let t = Transfer(from: poolID, to: to, minutes: minutes)
            return Decision(event: .poolGranted(t, reason: reason), warnings: try checkLimits([t], in: view))

        case .postListing, .editListing, .withdrawListing, .renewListing:
            return try decideListing(command, by: actor, in: view, today: today)

        case .lend, .returnLoan:
            return try decideLoan(command, by: actor, in: view, today: today)

        case .setSpaceHours, .book, .cancelBooking:
            return try decideSpace(command, by: actor, in: view, now: now)

        case .postChallenge, .joinChallenge, .pledge, .closeChallenge:
            return try decideChallenge(command, by: actor, in: view, today: today)
        }
    }

    // MARK: - Exchanges

    /// The static rules of an exchange: parties, self, text, domain, amount, quantum, maximum,
    /// equal time, date; and that every party may transact.
    static func validate(_ d: ExchangeDraft, proposer: MemberID?, recordedReason: String?, actor: Actor,
                         view: some LedgerView, now: Int64) throws(Refusal) -> ExchangeInfo {
        let policy = view.policy
        let today = Day(timestamp: now)
        guard !d.providers.isEmpty, !d.receivers.isEmpty else {
            throw .violation(.inputGroup, "An exchange needs at least one provider and one receiver.")
        }
        guard d.providers.count == 1 || d.receivers.count == 1 else {
            throw .violation(.inputGroup, "A group exchange has one provider and several receivers, or several providers and one receiver; not \(d.providers.count) and \(d.receivers.count).")
        }
        let many = Int64(max(d.providers.count, d.receivers.count))
        guard many <= policy.maxGroupSize else {
            throw .violation(.inputGroup, "A group exchange has at most \(policy.maxGroupSize) members on its many side, not \(many).")
        }
        guard Set(d.providers).count == d.providers.count, Set(d.receivers).count == d.receivers.count else {
            throw .violation(.inputGroup, "A member is named twice on the same side of the exchange.")
        }
        if let both = d.providers.first(where: { d.receivers.contains($0) }) {
            throw .violation(.ruleSelf, "\(both) cannot both provide and receive in one exchange.")
        }
        for id in d.providers + d.receivers {
            let m = try member(id, in: view)
            guard m.info.kind != .pool else { throw .violation(.rulePool, "The pool takes part only in donations and grants, not in exchanges.") }
            try requireActive(m)
        }
        try validateText(d.what, what: "A description", max: maxTextLength)
        guard policy.domains.contains(d.domain) else {
            throw .violation(.inputDomain, "\(d.domain) is not a policy domain; the domains are \(policy.domains.joined(separator: ", ")).")
        }
        let credits = d.credits
        guard credits.value >= 0 else { throw .violation(.inputAmount, "Credits cannot be negative (\(credits)).") }
        if d.kind == .time, credits.value == 0 {
            throw .violation(.inputAmount, "Only space and goods can be gifts; a time exchange moves the credits of the time worked.")
        }
        guard credits.value % policy.quantumMinutes == 0 else {
            throw .violation(.ruleQuantum, "Credits are a multiple of \(Minutes.format(policy.quantumMinutes)); \(credits) is not.")
        }
        guard credits.value <= policy.maxExchangeMinutes else {
            throw .violation(.ruleMaxExchange, "One exchange moves at most \(Minutes.format(policy.maxExchangeMinutes)) per pair; \(credits) is more.")
        }
        let quantity: Int64
        switch d.kind {
        case .time: quantity = d.quantity ?? credits.value
        case .space: quantity = d.quantity ?? (credits.value > 0 ? credits.value : 60)
        case .goods: quantity = d.quantity ?? 1
        }
        guard quantity > 0 else { throw .violation(.inputAmount, "The quantity must be greater than zero, not \(quantity).") }
        let maxQuantity = d.kind == .goods ? maxItems : 7 * 24 * 60
        guard quantity <= maxQuantity else {
            throw .violation(.inputAmount, "The quantity \(quantity) \(d.kind.measure) is more than the largest allowed, \(maxQuantity).")
        }
        if d.kind == .time, policy.equalTime, quantity != credits.value {
            let coordinatorWithReason = actor.isCoordinator && !(recordedReason ?? "").isEmpty
            guard coordinatorWithReason else {
                throw .violation(.ruleEqualTime, "One hour is one hour: \(Minutes.format(quantity)) worked is \(Minutes.format(quantity)) of credits, not \(credits). Only a coordinator may record otherwise, with a reason.")
            }
        }
        let date = d.date ?? today
        guard date <= today else { throw .violation(.ruleDate, "The exchange is dated \(date), in the future; today is \(today).") }
        let earliest = today - policy.backdatingDays
        guard date >= earliest else {
            throw .violation(.ruleDate, "The exchange is dated \(date), more than \(policy.backdatingDays) days ago; the earliest allowed date is \(earliest).")
        }
        try validateLinks(d, in: view, now: now)
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
                throw .violation(.rulePairCap, "\(a) and \(b) have exchanged \(already) in the last \(policy.pairWindowDays) days; \(t.minutes) more would exceed the cap of \(Minutes.format(policy.pairCapMinutes)).")
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
            guard t.minutes.value > 0, t.from != t.to else { throw .violation(.ledgerUnbalanced, "A transfer moves a positive amount between two accounts.") }
            if delta[t.from] == nil { order.append(t.from) }
            delta[t.from, default: 0] -= t.minutes.value
            if delta[t.to] == nil { order.append(t.to) }
            delta[t.to, default: 0] += t.minutes.value
        }
        guard delta.values.reduce(0, +) == 0 else { throw .violation(.ledgerUnbalanced, "The postings do not sum to zero.") }
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
                        throw .violation(.rulePool, "The pool holds \(m.balance); paying \(Minutes(-d)) would take it to \(new), below its floor of \(floor).")
                    }
                    throw .violation(.limitFloor, "Posting \(Minutes(-d)) would take \(name) to \(new), below the floor of \(floor).")
                }
                if m.info.kind != .pool, (new - floor).value <= margin {
                    warnings.append(Warning(code: .nearFloor, message: "\(name) is at \(new), within \(Minutes.format(margin)) of the floor of \(floor)."))
                }
            } else if let ceiling = m.ceiling(under: policy) {
                if new > ceiling {
                    throw .violation(.limitCeiling, "Receiving \(Minutes(d)) would take \(name) to \(new), above the ceiling of \(ceiling).")
                }
                if (ceiling - new).value <= margin {
                    warnings.append(Warning(code: .nearCeiling, message: "\(name) is at \(new), within \(Minutes.format(margin)) of the ceiling of \(ceiling)."))
                }
            }
        }
        return warnings
    }

    private static func openExchange(_ id: ExchangeID, actor: Actor, view: some LedgerView, verb: String) throws(Refusal) -> (ExchangeRecord, MemberID) {
        guard case .member(let m) = actor else {
            throw .violation(.ruleForbidden, "Name the party who \(verb)s (--as MEMBER); consent is given by a member.")
        }
        guard let x = try view.exchange(id) else { throw .violation(.exchangeNotFound, "There is no exchange \(id).") }
        guard x.info.parties.contains(m) else { throw .violation(.exchangeNotParty, "\(m) does not take part in \(id) and cannot \(verb) it.") }
        guard x.state == .proposed else { throw .violation(.exchangeState, "\(id) is \(x.state.rawValue); only a proposed exchange can be \(verb == "cancel" ? "cancelled" : verb + "ed").") }
        return (x, m)
    }

    /// Parties whose consent is still missing.
    static func waitingFor(_ x: ExchangeRecord) -> [MemberID] {
        x.info.parties.filter { !x.consents.contains($0) }
    }

    // MARK: - Small checks

    static func member(_ id: MemberID, in view: some LedgerView) throws(Refusal) -> MemberState {
        guard let m = try view.member(id) else { throw .violation(.memberNotFound, "There is no member \(id).") }
        return m
    }

    static func requireActive(_ m: MemberState) throws(Refusal) {
        guard m.status == .active else {
            throw .violation(.ruleInactive, "\(m.info.name) is \(m.status.rawValue) and cannot transact.")
        }
    }

    static func requireCoordinator(_ actor: Actor, _ what: String) throws(Refusal) {
        guard actor.isCoordinator else { throw .violation(.ruleForbidden, "Only a coordinator may \(what).") }
    }

    static func checkAmount(_ minutes: Minutes, policy: Policy) throws(Refusal) {
        guard minutes.value > 0 else { throw .violation(.inputAmount, "The amount must be greater than zero, not \(minutes).") }
        guard minutes.value % policy.quantumMinutes == 0 else {
            throw .violation(.ruleQuantum, "Credits are a multiple of \(Minutes.format(policy.quantumMinutes)); \(minutes) is not.")
        }
    }

    /// People's text (names, titles, descriptions, places, reasons): no control characters (C0,
    /// DEL, C1) and no bidirectional overrides, embeddings or isolates, which can make text read
    /// otherwise than it is stored; not empty once invisible characters are taken away; at most
    /// `max` characters. It arrives here in NFC (`Command.normalizingText`).
    static func validateText(_ s: String, what: String, max: Int) throws(Refusal) {
        if let (i, bad) = s.unicodeScalars.enumerated().first(where: { Decider.isForbidden($0.element) }) {
            throw .violation(.inputText, "\(what) cannot contain control characters or direction overrides; it holds U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(4)) at position \(i + 1).")
        }
        guard s.unicodeScalars.contains(where: { !Decider.isInvisible($0) }) else {
            throw .violation(.inputText, "\(what) cannot be empty (or only invisible characters).")
        }
        guard s.count <= max else { throw .violation(.inputInvalid, "\(what) is at most \(max) characters, not \(s.count).") }
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
