/// Balance limits of one member kind. A nil ceiling is unlimited.
public struct KindLimits: Sendable, Equatable {
    /// Lowest balance allowed (zero or negative).
    public var floor: Minutes
    /// Highest balance allowed; nil for no ceiling (the pool).
    public var ceiling: Minutes?

    public init(floor: Minutes, ceiling: Minutes?) {
        self.floor = floor
        self.ceiling = ceiling
    }
}

/// What happens to a proposal nobody answered before it expires.
public enum ExpiryAction: String, Sendable, CaseIterable {
    /// The proposal lapses; no credits move (the default).
    case expire
    /// The proposal is confirmed unless rejected, if the rules allow it at that moment.
    case autoConfirm = "auto-confirm"
}

/// A floor that deepens with hours given: it starts at `startMinutes` below zero and goes
/// `minutesPerHourGiven` deeper for every hour the member has given, down to `deepestMinutes`.
public struct EarnedFloor: Sendable, Equatable {
    /// Depth of the floor before any hour is given (positive number of minutes).
    public var startMinutes: Int64
    /// Extra depth earned per hour given (minutes).
    public var minutesPerHourGiven: Int64
    /// The deepest the floor goes (positive number of minutes).
    public var deepestMinutes: Int64
    /// The member kinds the earned floor applies to.
    public var kinds: [MemberKind]

    public init(startMinutes: Int64, minutesPerHourGiven: Int64, deepestMinutes: Int64, kinds: [MemberKind]) {
        self.startMinutes = startMinutes
        self.minutesPerHourGiven = minutesPerHourGiven
        self.deepestMinutes = deepestMinutes
        self.kinds = kinds
    }

    /// The floor for a member who has given `given` minutes in all.
    public func floor(given: Minutes) -> Minutes {
        let earned = max(0, given.value) * minutesPerHourGiven / 60
        return Minutes(-min(deepestMinutes, startMinutes + earned))
    }
}

/// The rules' parameters. Every change is a journal event, so each decision is judged by the
/// policy in force when it was taken.
public struct Policy: Sendable, Equatable {
    /// Limits per member kind.
    public var limits: [MemberKind: KindLimits]
    /// Credits are a multiple of this.
    public var quantumMinutes: Int64
    /// Largest credits of one exchange, per pair of members.
    public var maxExchangeMinutes: Int64
    /// For `time`, credits equal the minutes worked unless a coordinator records otherwise.
    public var equalTime: Bool
    /// Largest credits between two members in a rolling window.
    public var pairCapMinutes: Int64
    /// The rolling window of the pair cap, in days.
    public var pairWindowDays: Int64
    /// How far back an exchange may be dated.
    public var backdatingDays: Int64
    /// Days a proposal waits for its answer.
    public var proposalExpiryDays: Int64
    /// What happens at expiry.
    public var expiryAction: ExpiryAction
    /// A posting that lands within this many minutes of a limit succeeds with a warning.
    public var warningMarginMinutes: Int64
    /// When set, floors are earned rather than fixed for the kinds it names.
    public var earnedFloor: EarnedFloor?
    /// The policy domains exchanges are filed under.
    public var domains: [String]
    /// Most members on the many side of a group exchange.
    public var maxGroupSize: Int64

    /// The defaults of DESIGN.md.
    public static let standard = Policy(
        limits: [
            .person: KindLimits(floor: .hours(-20), ceiling: .hours(60)),
            .company: KindLimits(floor: .hours(-10), ceiling: .hours(60)),
            .association: KindLimits(floor: .hours(-10), ceiling: .hours(60)),
            .initiative: KindLimits(floor: .hours(-10), ceiling: .hours(60)),
            .municipality: KindLimits(floor: .hours(-100), ceiling: .hours(60)),
            .pool: KindLimits(floor: .zero, ceiling: nil),
        ],
        quantumMinutes: 15,
        maxExchangeMinutes: 24 * 60,
        equalTime: true,
        pairCapMinutes: 40 * 60,
        pairWindowDays: 30,
        backdatingDays: 90,
        proposalExpiryDays: 14,
        expiryAction: .expire,
        warningMarginMinutes: 120,
        earnedFloor: nil,
        domains: ["care", "loneliness", "poverty", "housing", "mobility", "health", "culture",
                  "education", "climate-energy", "food", "work", "other"],
        maxGroupSize: 50
    )

    /// The limits of a kind (every kind has an entry; a missing one is treated as zero/none).
    public func limits(for kind: MemberKind) -> KindLimits {
        limits[kind] ?? KindLimits(floor: .zero, ceiling: .zero)
    }
}

// MARK: - JSON and settings

extension Policy {
    /// The policy as a JSON object (the journal's form).
    public var json: JSON {
        var lim = [String: JSON]()
        for kind in MemberKind.allCases {
            let l = limits(for: kind)
            lim[kind.rawValue] = .object(["floor": .int(l.floor.value), "ceiling": l.ceiling.map { .int($0.value) } ?? .null])
        }
        var earned = JSON.null
        if let e = earnedFloor {
            earned = .object([
                "start": .int(e.startMinutes), "per_hour_given": .int(e.minutesPerHourGiven),
                "deepest": .int(e.deepestMinutes), "kinds": .array(e.kinds.map { .string($0.rawValue) }),
            ])
        }
        return .object([
            "limits": .object(lim),
            "quantum": .int(quantumMinutes),
            "max_exchange": .int(maxExchangeMinutes),
            "equal_time": .bool(equalTime),
            "pair_cap": .int(pairCapMinutes),
            "pair_window_days": .int(pairWindowDays),
            "backdating_days": .int(backdatingDays),
            "expiry_days": .int(proposalExpiryDays),
            "expiry_action": .string(expiryAction.rawValue),
            "warning_margin": .int(warningMarginMinutes),
            "earned_floor": earned,
            "domains": .array(domains.map { .string($0) }),
            "max_group": .int(maxGroupSize),
        ])
    }

    /// Reads the journal's form; nil when a field is missing or malformed.
    public init?(json: JSON) {
        guard let lim = json["limits"]?.objectValue else { return nil }
        var limits = [MemberKind: KindLimits]()
        for (k, v) in lim {
            guard let kind = MemberKind(rawValue: k), let f = v["floor"]?.intValue, let c = v["ceiling"] else { return nil }
            limits[kind] = KindLimits(floor: Minutes(f), ceiling: c.intValue.map(Minutes.init))
        }
        guard let q = json["quantum"]?.intValue, let mx = json["max_exchange"]?.intValue,
              let eq = json["equal_time"]?.boolValue, let pc = json["pair_cap"]?.intValue,
              let pw = json["pair_window_days"]?.intValue, let bd = json["backdating_days"]?.intValue,
              let ed = json["expiry_days"]?.intValue, let ea = json["expiry_action"]?.stringValue.flatMap(ExpiryAction.init),
              let wm = json["warning_margin"]?.intValue, let doms = json["domains"]?.arrayValue,
              let mg = json["max_group"]?.intValue, let earnedJSON = json["earned_floor"] else { return nil }
        var earned: EarnedFloor?
        if !earnedJSON.isNull {
            guard let s = earnedJSON["start"]?.intValue, let p = earnedJSON["per_hour_given"]?.intValue,
                  let d = earnedJSON["deepest"]?.intValue, let ks = earnedJSON["kinds"]?.arrayValue else { return nil }
            earned = EarnedFloor(startMinutes: s, minutesPerHourGiven: p, deepestMinutes: d,
                                 kinds: ks.compactMap { $0.stringValue.flatMap(MemberKind.init) })
        }
        self.init(limits: limits, quantumMinutes: q, maxExchangeMinutes: mx, equalTime: eq, pairCapMinutes: pc,
                  pairWindowDays: pw, backdatingDays: bd, proposalExpiryDays: ed, expiryAction: ea,
                  warningMarginMinutes: wm, earnedFloor: earned,
                  domains: doms.compactMap(\.stringValue), maxGroupSize: mg)
    }

    /// The names `setting(_:to:)` accepts, for help texts.
    public static let settingNames = [
        "quantum", "max-exchange", "equal-time", "pair-cap", "pair-window-days", "backdating-days",
        "expiry-days", "expiry-action", "warning-margin", "max-group", "domains",
        "floor.KIND", "ceiling.KIND", "earned-floor",
    ]

    /// A copy with one setting changed, as the coordinator types it (`floor.person -25h`,
    /// `expiry-action auto-confirm`, `earned-floor 5h,30m,20h` or `earned-floor off`).
    /// Values are validated here so no policy in the journal is nonsensical.
    public func setting(_ name: String, to value: String) throws(RuleViolation) -> Policy {
        var p = self
        func amount(allowNegative: Bool = false) throws(RuleViolation) -> Int64 {
            var v = value
            var negative = false
            if allowNegative, v.hasPrefix("-") { negative = true; v.removeFirst() }
            guard let m = Minutes.parse(v) else { throw RuleViolation(.inputPolicy, "\"\(value)\" is not an amount for \(name) (try 20h, 1:30 or 90m).") }
            return negative ? -m.value : m.value
        }
        func positive(_ n: Int64) throws(RuleViolation) -> Int64 {
            guard n > 0 else { throw RuleViolation(.inputPolicy, "\(name) must be greater than zero, not \(value).") }
            return n
        }
        func days() throws(RuleViolation) -> Int64 {
            guard let n = Int64(value), n >= 0, n <= 3650 else { throw RuleViolation(.inputPolicy, "\(name) takes a number of days from 0 to 3650, not \(value).") }
            return n
        }
        switch name {
        case "quantum":
            let q = try positive(try amount())
            guard q <= 24 * 60 else { throw RuleViolation(.inputPolicy, "quantum must be at most 24 h, not \(Minutes.format(q)).") }
            p.quantumMinutes = q
        case "max-exchange": p.maxExchangeMinutes = try positive(try amount())
        case "pair-cap": p.pairCapMinutes = try positive(try amount())
        case "warning-margin": p.warningMarginMinutes = try amount()
        case "pair-window-days": p.pairWindowDays = try positive(try days())
        case "backdating-days": p.backdatingDays = try days()
        case "expiry-days": p.proposalExpiryDays = try positive(try days())
        case "max-group":
            guard let n = Int64(value), n >= 1, n <= 500 else { throw RuleViolation(.inputPolicy, "max-group takes 1 to 500, not \(value).") }
            p.maxGroupSize = n
        case "equal-time":
            guard value == "on" || value == "off" else { throw RuleViolation(.inputPolicy, "equal-time is on or off, not \(value).") }
            p.equalTime = value == "on"
        case "expiry-action":
            guard let a = ExpiryAction(rawValue: value) else { throw RuleViolation(.inputPolicy, "expiry-action is expire or auto-confirm, not \(value).") }
            p.expiryAction = a
        case "domains":
            let ds = value.split(separator: ",").map { String($0) }
            guard !ds.isEmpty, ds.allSatisfy(Policy.isDomainName), Set(ds).count == ds.count else {
                throw RuleViolation(.inputPolicy, "domains is a comma-separated list of lower-case names, not \(value).")
            }
            p.domains = ds
        case "earned-floor":
            if value == "off" { p.earnedFloor = nil; break }
            let parts = value.split(separator: ",").map(String.init)
            guard parts.count == 3, let s = Minutes.parse(parts[0]), let r = Minutes.parse(parts[1]), let d = Minutes.parse(parts[2]), s.value <= d.value else {
                throw RuleViolation(.inputPolicy, "earned-floor is START,PER-HOUR-GIVEN,DEEPEST (e.g. 5h,30m,20h) with START no deeper than DEEPEST, or off; not \(value).")
            }
            p.earnedFloor = EarnedFloor(startMinutes: s.value, minutesPerHourGiven: r.value, deepestMinutes: d.value, kinds: [.person])
        default:
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count == 2, let kind = MemberKind(rawValue: parts[1]) else {
                throw RuleViolation(.inputPolicy, "Unknown policy setting \(name); known: \(Policy.settingNames.joined(separator: ", ")).")
            }
            var l = p.limits(for: kind)
            switch parts[0] {
            case "floor":
                let f = try amount(allowNegative: true)
                guard f <= 0 else { throw RuleViolation(.inputPolicy, "A floor is zero or below, not \(Minutes.format(f)).") }
                l.floor = Minutes(f)
            case "ceiling":
                if value == "none" { l.ceiling = nil } else {
                    let c = try amount()
                    l.ceiling = Minutes(c)
                }
            default:
                throw RuleViolation(.inputPolicy, "Unknown policy setting \(name); known: \(Policy.settingNames.joined(separator: ", ")).")
            }
            p.limits[kind] = l
        }
        return p
    }

    /// Policy domain names: lower-case letters, digits and dashes, 1 to 40 characters.
    public static func isDomainName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 40 && s.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }
}
