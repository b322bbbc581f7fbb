import Foundation

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
    /// The time zone the policy names, if it names one. A ledger whose policy never did
    /// (written before there was this setting) counts in UTC, as it always did, so its days do
    /// not move, and its policy keeps the bytes it was written with.
    public var namedZone: TimeZone?

    /// The circle's time zone: the day an exchange, a posting or "today" falls on, with
    /// daylight saving.
    public var zone: TimeZone {
        get { namedZone ?? Policy.utc }
        set { namedZone = newValue }
    }

    public static let utc = TimeZone(identifier: "UTC")!
    /// The zone of new circles.
    public static let defaultZone = TimeZone(identifier: "Europe/Brussels") ?? utc

    /// The IANA name of the circle's time zone (`Europe/Brussels`).
    /// (Foundation names UTC `GMT`; the policy writes `UTC`, as people do.)
    public var timeZone: String { zone == Policy.utc ? "UTC" : zone.identifier }

    /// The day `timestamp` (Unix seconds) falls on in the circle's time zone.
    public func day(_ timestamp: Int64) -> Day { Policy.day(timestamp, in: zone) }

    /// The instant (Unix seconds) the circle's clocks show `minute` (after midnight; 1440 is the
    /// next midnight) on `day`, or nil when clocks skip that time (the hour they go forward).
    /// When they show it twice (the hour they go back), the first.
    public func instant(_ day: Day, minute: Int64) -> Int64? { Policy.instant(day, minute: minute, in: zone) }

    /// Like `instant(_:minute:)`, but a time clocks skip counts as the same time after the skip
    /// (02:30 on the day clocks go from 02:00 to 03:00 is 03:30), for bookings made before a
    /// change of zone.
    public func moment(_ day: Day, minute: Int64) -> Int64 {
        if let t = instant(day, minute: minute) { return t }
        let local = day.timestamp + minute * 60
        return local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - 86_400))))
    }

    /// The instant `zone`'s clocks show `minute` on `day`; see `instant(_:minute:)`.
    public static func instant(_ day: Day, minute: Int64, in zone: TimeZone) -> Int64? {
        let local = day.timestamp + minute * 60
        guard zone != utc else { return local }
        func offset(_ t: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))) }
        // The offsets in force a day either side cover every change a zone makes in one day.
        let candidates = Set([offset(local - 86_400), offset(local), offset(local + 86_400)]).map { local - $0 }.sorted()
        return candidates.first { $0 + offset($0) == local }
    }

    /// The day `timestamp` falls on in `zone`.
    public static func day(_ timestamp: Int64, in zone: TimeZone) -> Day {
        guard zone != utc else { return Day(timestamp: timestamp) }
        return Day(timestamp: timestamp + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(timestamp)))))
    }

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
        maxGroupSize: 50,
        namedZone: Policy.defaultZone
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
        var fields: [String: JSON] = [
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
        ]
        if namedZone != nil { fields["time_zone"] = .string(timeZone) }
        return .object(fields)
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
        // Absent in policies written before the setting existed: those circles count in UTC.
        var zone: TimeZone?
        if let name = json["time_zone"] {
            guard let text = name.stringValue, let z = TimeZone(identifier: text) else { return nil }
            zone = z
        }
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
                  domains: doms.compactMap(\.stringValue), maxGroupSize: mg, namedZone: zone)
    }

    /// The most days of a window (pair window, backdating, proposal expiry).
    public static let maxDays: Int64 = 3_650
    /// The largest quantum.
    public static let maxQuantumMinutes: Int64 = 24 * 60
    /// The most members on the many side of a group exchange a policy may allow.
    public static let maxGroupLimit: Int64 = 500

    /// What is wrong with this policy, or nil: every amount, window and size within its
    /// range, domains named and distinct, floors at or below zero and ceilings at or above,
    /// an earned floor that starts no deeper than its deepest. The decider refuses a policy
    /// change with this sentence (`input.policy`).
    public var problem: Reason? {
        guard quantumMinutes > 0, quantumMinutes <= Policy.maxQuantumMinutes else { return .policyQuantum(Minutes(quantumMinutes)) }
        guard maxExchangeMinutes > 0 else { return .policyLargestExchange(Minutes(maxExchangeMinutes)) }
        guard pairCapMinutes > 0 else { return .policyPairCap(Minutes(pairCapMinutes)) }
        guard warningMarginMinutes >= 0 else { return .policyWarningMargin(Minutes(warningMarginMinutes)) }
        for (window, days, least) in [(PolicyWindow.pairWindow, pairWindowDays, Int64(1)), (.backdating, backdatingDays, 0), (.proposalExpiry, proposalExpiryDays, 1)]
        where days < least || days > Policy.maxDays {
            return .policyDays(window, least: least, most: Policy.maxDays, got: days)
        }
        guard (1...Policy.maxGroupLimit).contains(maxGroupSize) else { return .policyGroupSize(most: Policy.maxGroupLimit, got: maxGroupSize) }
        guard !domains.isEmpty, domains.allSatisfy(Policy.isDomainName), Set(domains).count == domains.count else {
            return .policyDomains(domains)
        }
        for kind in MemberKind.allCases {
            guard let l = limits[kind] else { return .policyNoLimits(kind) }
            guard l.floor.value <= 0 else { return .policyFloor(kind, l.floor) }
            if let c = l.ceiling, c.value < 0 { return .policyCeiling(kind, c) }
        }
        if let e = earnedFloor, e.startMinutes < 0 || e.minutesPerHourGiven < 0 || e.startMinutes > e.deepestMinutes {
            return .policyEarnedFloor
        }
        return nil
    }

    /// Policy domain names: lower-case letters, digits and dashes, 1 to 40 characters.
    public static func isDomainName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 40 && s.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }
}
