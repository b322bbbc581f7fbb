import Foundation
import KringCore

/// The policy as the coordinator types it (`kring policy set NAME VALUE`, `POST /v1/policy`):
/// the faces read the text into the typed policy here; whether the values are within their
/// ranges is the core's rule (`Policy.problem`, checked when the change is decided).
extension Policy {
    /// The names `setting(_:to:)` accepts, for help texts.
    public static let settingNames = [
        "quantum", "max-exchange", "equal-time", "pair-cap", "pair-window-days", "backdating-days",
        "expiry-days", "expiry-action", "warning-margin", "max-group", "domains",
        "floor.KIND", "ceiling.KIND", "earned-floor", "time-zone",
    ]

    /// Every setting by its full name (`floor.person`, not `floor.KIND`), as a form offers them.
    public static var concreteSettingNames: [String] {
        settingNames.flatMap { name -> [String] in
            guard name.hasSuffix(".KIND") else { return [name] }
            return MemberKind.allCases.map { name.replacingOccurrences(of: "KIND", with: $0.rawValue) }
        }
    }

    /// A setting's value as text, in the form `setting(_:to:)` reads (hours as `1.5 h`).
    public func settingText(_ name: String) -> String? {
        switch name {
        case "quantum": return Minutes.format(quantumMinutes)
        case "max-exchange": return Minutes.format(maxExchangeMinutes)
        case "pair-cap": return Minutes.format(pairCapMinutes)
        case "warning-margin": return Minutes.format(warningMarginMinutes)
        case "pair-window-days": return String(pairWindowDays)
        case "backdating-days": return String(backdatingDays)
        case "expiry-days": return String(proposalExpiryDays)
        case "max-group": return String(maxGroupSize)
        case "equal-time": return equalTime ? "on" : "off"
        case "expiry-action": return expiryAction.rawValue
        case "domains": return domains.joined(separator: ",")
        case "time-zone": return timeZone
        case "earned-floor":
            return earnedFloor.map { "\(Minutes.format($0.startMinutes)),\(Minutes.format($0.minutesPerHourGiven)),\(Minutes.format($0.deepestMinutes))" } ?? "off"
        default:
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count == 2, let kind = MemberKind(rawValue: parts[1]) else { return nil }
            let l = limits(for: kind)
            switch parts[0] {
            case "floor": return Minutes.format(l.floor.value)
            case "ceiling": return l.ceiling.map { Minutes.format($0.value) } ?? "none"
            default: return nil
            }
        }
    }

    /// A copy with one setting read from text (`floor.person -25h`, `expiry-action
    /// auto-confirm`, `earned-floor 5h,30m,20h` or `earned-floor off`).
    /// - Throws: `input.policy` when the name is unknown or the text is not a value of its kind.
    public func setting(_ name: String, to value: String) throws(RuleViolation) -> Policy {
        var p = self
        func amount(allowNegative: Bool = false) throws(RuleViolation) -> Int64 {
            var v = value
            var negative = false
            if allowNegative, v.hasPrefix("-") { negative = true; v.removeFirst() }
            guard let m = Minutes.parse(v) else { throw RuleViolation(.inputPolicy, .policyAmount(setting: name, value: value), field: .value) }
            return negative ? -m.value : m.value
        }
        func number() throws(RuleViolation) -> Int64 {
            guard let n = Int64(value) else { throw RuleViolation(.inputPolicy, .policyWholeNumber(setting: name, value: value), field: .value) }
            return n
        }
        switch name {
        case "quantum": p.quantumMinutes = try amount()
        case "max-exchange": p.maxExchangeMinutes = try amount()
        case "pair-cap": p.pairCapMinutes = try amount()
        case "warning-margin": p.warningMarginMinutes = try amount()
        case "pair-window-days": p.pairWindowDays = try number()
        case "backdating-days": p.backdatingDays = try number()
        case "expiry-days": p.proposalExpiryDays = try number()
        case "max-group": p.maxGroupSize = try number()
        case "equal-time":
            guard value == "on" || value == "off" else { throw RuleViolation(.inputPolicy, .policyOnOff(setting: name, value: value), field: .value) }
            p.equalTime = value == "on"
        case "expiry-action":
            guard let a = ExpiryAction(rawValue: value) else { throw RuleViolation(.inputPolicy, .policyExpiryAction(value: value), field: .value) }
            p.expiryAction = a
        case "time-zone":
            // An IANA name (Europe/Brussels); the days of everything decided after the change
            // fall in it, with daylight saving.
            guard value.utf8.count <= 64, let zone = TimeZone(identifier: value) else {
                throw RuleViolation(.inputPolicy, .policyTimeZone(value: String(value.prefix(64))), field: .value)
            }
            p.zone = zone
        case "domains":
            p.domains = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        case "earned-floor":
            if value == "off" { p.earnedFloor = nil; break }
            let parts = value.split(separator: ",").map(String.init)
            guard parts.count == 3, let s = Minutes.parse(parts[0]), let r = Minutes.parse(parts[1]), let d = Minutes.parse(parts[2]) else {
                throw RuleViolation(.inputPolicy, .policyEarnedFloorText(value: value), field: .value)
            }
            p.earnedFloor = EarnedFloor(startMinutes: s.value, minutesPerHourGiven: r.value, deepestMinutes: d.value, kinds: [.person])
        default:
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count == 2, let kind = MemberKind(rawValue: parts[1]), parts[0] == "floor" || parts[0] == "ceiling" else {
                throw RuleViolation(.inputPolicy, .policyUnknownSetting(name, known: Policy.settingNames), field: .setting)
            }
            var l = p.limits(for: kind)
            if parts[0] == "floor" { l.floor = Minutes(try amount(allowNegative: true)) }
            else { l.ceiling = value == "none" ? nil : Minutes(try amount()) }
            p.limits[kind] = l
        }
        return p
    }
}
