import Foundation
import KringCore
import KringCrypto

/// Reads CSV as RFC 4180 writes it: fields separated by commas, a field in double quotes may
/// hold commas, quotes (doubled) and line breaks; CRLF or LF; a UTF-8 byte order mark is skipped.
/// Each row comes with the line it starts on (1-based), as people count lines in an editor.
public enum CSVReader {
    public static func rows(_ text: String) -> [(line: Int, fields: [String])] {
        var out = [(line: Int, fields: [String])]()
        var fields = [String](), field = "", quoted = false, line = 1, start = 1, afterQuote = false
        var chars = Substring(text)
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        func endRow() {
            fields.append(field)
            // A blank line is no row.
            if !(fields.count == 1 && fields[0].isEmpty) { out.append((start, fields)) }
            fields = []; field = ""; afterQuote = false
        }
        var it = chars.makeIterator()
        var pending: Character?
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; afterQuote = true; pending = n }
                    } else { quoted = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote: quoted = true
            case ",": fields.append(field); field = ""; afterQuote = false
            case "\n", "\r\n", "\r":
                endRow()
                line += 1
                start = line
            default: field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRow() }
        return out
    }
}

/// The mapping file: source categories to policy domains, and the organisation's account.
public struct ImportMapping: Sendable {
    /// Category (folded) → domain.
    public var categories: [String: String] = [:]
    /// The domain of a category not listed.
    public var otherDomain = "other"
    /// The member id the organisation's account becomes (a member of kind municipality).
    public var organization = MemberID(canonical: "stad")!
    /// Names TimeOverflow's reports give deleted or inactive users.
    public var deleted: [String] = []

    /// The mapping shipped with Kring (`kring import mapping`).
    public static let defaultText = """
        # Kring import mapping: a source category = a policy domain; `*` = the domain of any
        # other category. Case and accents do not matter.
        # organization = the member id TimeOverflow's organisation account becomes (kind municipality).
        # deleted = the names TimeOverflow's reports give deleted or inactive users, separated by ;
        organization = stad
        deleted = Usuario eliminado; Usuari eliminat; Deleted user; Verwijderde gebruiker; Usuario inactivo; Inactive user
        * = other
        # Spanish and Catalan
        Acompañamiento = care
        Cuidados = care
        Cures = care
        Salud = health
        Salut = health
        Educación = education
        Educació = education
        Formación = education
        Clases = education
        Cultura = culture
        Ocio = culture
        Hogar = housing
        Casa = housing
        Bricolaje = housing
        Reparaciones = housing
        Transporte = mobility
        Movilidad = mobility
        Alimentación = food
        Cocina = food
        Tecnología = work
        Informática = work
        Gestiones = poverty
        Trámites = poverty
        Compañía = loneliness
        Medio ambiente = climate-energy
        # English
        Care = care
        Health = health
        Education = education
        Lessons = education
        Culture = culture
        Home = housing
        Repairs = housing
        Transport = mobility
        Food = food
        Technology = work
        Paperwork = poverty
        Company = loneliness
        Environment = climate-energy
        # Dutch
        Zorg = care
        Gezondheid = health
        Onderwijs = education
        Huis = housing
        Klussen = housing
        Vervoer = mobility
        Eten = food
        Computer = work
        Administratie = poverty
        Gezelschap = loneliness
        Klimaat = climate-energy
        """

    public static var standard: ImportMapping { try! ImportMapping(text: defaultText, policyDomains: Policy.standard.domains) }

    /// Reads a mapping; a domain the policy does not have, or a line without `=`, is refused.
    public init(text: String, policyDomains domains: [String]) throws(ImportProblem) {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !line.isEmpty else { continue }
            let kv = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                throw ImportProblem(file: "mapping", line: n + 1, code: .inputInvalid, sentence: "A mapping line reads `name = value`, not \(line.prefix(60)).")
            }
            switch kv[0] {
            case "organization", "organisation":
                guard let id = MemberID(canonical: kv[1]), !id.isReserved, id != poolID else {
                    throw ImportProblem(file: "mapping", line: n + 1, code: .inputInvalid, sentence: "organization names a member id like stad, not \(kv[1].prefix(40)).")
                }
                organization = id
            case "deleted": deleted = kv[1].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).folded }
            default:
                guard domains.contains(kv[1]) else {
                    throw ImportProblem(file: "mapping", line: n + 1, code: .inputDomain,
                                        sentence: "\(kv[1]) is not a policy domain (\(domains.joined(separator: ", "))).")
                }
                if kv[0] == "*" { otherDomain = kv[1] } else { categories[kv[0].folded] = kv[1] }
            }
        }
    }

    public func domain(for category: String) -> String { categories[category.trimmingCharacters(in: .whitespaces).folded] ?? otherDomain }
}

/// A row the import cannot take: where, the rule's code and its sentence.
public struct ImportProblem: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let code: RuleCode
    public let sentence: String
    /// The rule's refusal, when a rule refused the row (the pages say it in their language).
    public let violation: RuleViolation?
    public init(file: String, line: Int, code: RuleCode, sentence: String, violation: RuleViolation? = nil) {
        self.file = file
        self.line = line
        self.code = code
        self.sentence = sentence
        self.violation = violation
    }
    public var description: String { "\(file):\(line): error[\(code.rawValue)]: \(sentence)" }
}

/// What an import will do, in time order, and what it checks after.
public struct ImportPlan: Sendable {
    public struct Step: Sendable {
        public var at: Int64
        public var command: Command
        public var actor: Actor
        public var file: String
        public var line: Int
    }
    public var steps: [Step] = []
    /// Balances the source states (member → minutes), checked after the import.
    public var expected: [(member: MemberID, minutes: Int64, file: String, line: Int)] = []
    /// Rows that could not be read.
    public var problems: [ImportProblem] = []
    /// The source's columns Kring leaves out (contact data).
    public var leftOut: [String] = []
    public var members = 0, exchanges = 0, listings = 0
}

/// Reading the sources into a plan.
public struct ImportReader {
    public let policy: Policy
    public let mapping: ImportMapping
    public init(policy: Policy = .standard, mapping: ImportMapping) {
        self.policy = policy
        self.mapping = mapping
    }

    /// A file's SHA-256 in hex, which every imported exchange names.
    public static func sha256(_ data: Data) -> String { SHA256.hash([UInt8](data)).hexString }

    // MARK: - Values

    /// A date (noon on the circle's clock) or a date and time: ISO 8601 (`2024-03-15`,
    /// `2024-03-15 10:30`, `2024-03-15T10:30:00Z`, `…+01:00`) or `15/03/2024[ 10:30]`.
    func instant(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var datePart = t, timePart = ""
        if let i = t.firstIndex(where: { $0 == " " || $0 == "T" }) { datePart = String(t[..<i]); timePart = String(t[t.index(after: i)...]) }
        var day: Day?
        if datePart.contains("/") {
            let p = datePart.split(separator: "/").compactMap { Int64($0) }
            if p.count == 3 { day = Day(year: p[2], month: p[1], day: p[0]) }
        } else { day = Day(iso: datePart) }
        guard let day else { return nil }
        guard !timePart.isEmpty else { return policy.instant(day, minute: 720) }
        var offset: Int64?
        var clock = timePart
        if clock.hasSuffix("Z") { offset = 0; clock.removeLast() }
        if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }), clock.distance(from: clock.startIndex, to: sign) >= 4 {
            let z = clock[clock.index(after: sign)...].split(separator: ":").compactMap { Int64($0) }
            guard z.count == 2 || (z.count == 1 && clock[clock.index(after: sign)...].count == 4) else { return nil }
            let minutes = z.count == 2 ? z[0] * 60 + z[1] : (z[0] / 100) * 60 + z[0] % 100
            offset = (clock[sign] == "-" ? -1 : 1) * minutes * 60
            clock = String(clock[..<sign])
        }
        if let dot = clock.firstIndex(of: ".") { clock = String(clock[..<dot]) }
        let hms = clock.split(separator: ":").compactMap { Int64($0) }
        guard (2...3).contains(hms.count), (0..<24).contains(hms[0]), (0..<60).contains(hms[1]) else { return nil }
        let seconds = hms.count == 3 ? hms[2] : 0
        if let offset { return day.timestamp + hms[0] * 3600 + hms[1] * 60 + seconds - offset }
        return policy.moment(day, minute: hms[0] * 60 + hms[1]) + seconds
    }

    /// A member id from a name: lower case, accents dropped, other runs a dash, at most 40.
    static func handle(_ name: String) -> String {
        var out = "", dash = false
        for c in name.folded.unicodeScalars {
            if ("a"..."z").contains(c) || ("0"..."9").contains(c) { out.unicodeScalars.append(c); dash = false } else if !dash && !out.isEmpty { out += "-"; dash = true }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(40)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// Hours as people write them: `1.5`, `1,5`, `1:30`, `90m`.
    static func hours(_ text: String) -> Minutes? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        if t.contains(":") || t.hasSuffix("m") || t.hasSuffix("h") { return Minutes.parse(t) }
        return Minutes.parse(t + "h")
    }

    /// Ids for the source's members: their name made a handle, or `to-N` when that is empty,
    /// not a valid id, or taken.
    struct Handles {
        var taken: Set<String> = [poolID.handle]
        mutating func id(name: String, uid: String) -> MemberID {
            let h = ImportReader.handle(name)
            if let id = MemberID(canonical: h), !id.isReserved, !taken.contains(h) { taken.insert(h); return id }
            var fallback = "to-\(uid)"
            while taken.contains(fallback) { fallback += "-x" }
            taken.insert(fallback)
            return MemberID(canonical: fallback)!
        }
    }
}
