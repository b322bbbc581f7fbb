import KringCore

/// A usage error: exit code 2 with the command's usage line.
struct UsageError: Error {
    let message: String
    let command: String?
}

/// What a command accepts.
struct CommandSpec: Sendable {
    let path: String
    let summary: String
    let usage: String
    /// Options that take a value.
    var options: [String] = []
    /// Options that do not.
    var flags: [String] = []
    /// Required options.
    var required: [String] = []
    /// Allowed number of positional arguments.
    var positionals: ClosedRange<Int> = 0...0
    let run: @Sendable (Invocation) throws -> Int32
}

/// A parsed command line for one command.
struct Invocation: Sendable {
    let spec: CommandSpec
    let positionals: [String]
    let options: [String: String]
    let flags: Set<String>
    let dbPath: String

    func option(_ name: String) -> String? { options[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    var json: Bool { flags.contains("json") }

    /// A required option's value (presence was checked when parsing).
    func required(_ name: String) -> String { options[name] ?? "" }

    /// An amount option parsed as minutes, or a bad-input error naming the option.
    func amount(_ name: String) throws(ArgumentError) -> Minutes? {
        guard let text = options[name] else { return nil }
        guard let m = Minutes.parse(text) else {
            throw ArgumentError(.inputAmount, "--\(name) \(text) is not an amount; write hours as 1.5, 1.5h or 1:30, or minutes as 90m.")
        }
        return m
    }

    /// A signed amount (floors are negative).
    func signedAmount(_ name: String) throws(ArgumentError) -> Minutes? {
        guard var text = options[name] else { return nil }
        var negative = false
        if text.hasPrefix("-") { negative = true; text.removeFirst() }
        guard let m = Minutes.parse(text) else {
            throw ArgumentError(.inputAmount, "--\(name) \(options[name]!) is not an amount; write hours as -20, -20h or -1:30.")
        }
        return negative ? -m : m
    }

    /// A date option.
    func day(_ name: String) throws(ArgumentError) -> Day? {
        guard let text = options[name] else { return nil }
        guard let d = Day(iso: text) else { throw ArgumentError(.inputInvalid, "--\(name) \(text) is not a date; write YYYY-MM-DD.") }
        return d
    }

    /// A comma-separated list (spaces around the commas are list syntax and dropped).
    func list(_ name: String) -> [String] {
        (options[name] ?? "").split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmedSpaces }
    }

    /// An option holding an id, parsed once here; text that is not the id's canonical form is
    /// refused (exit 1) naming the option.
    func id<T: JournalID>(_ name: String, _ type: T.Type) throws(ArgumentError) -> T? {
        guard let text = options[name] else { return nil }
        return try Invocation.parseID(text, T.self, argument: "--\(name)")
    }

    /// A required option holding an id (presence was checked when parsing).
    func requiredID<T: JournalID>(_ name: String, _ type: T.Type) throws(ArgumentError) -> T {
        try Invocation.parseID(required(name), T.self, argument: "--\(name)")
    }

    /// A comma-separated list of ids.
    func ids<T: JournalID>(_ name: String, _ type: T.Type) throws(ArgumentError) -> [T] {
        guard options[name] != nil else { return [] }
        var out = [T]()
        for text in list(name) { out.append(try Invocation.parseID(text, T.self, argument: "--\(name)")) }
        return out
    }

    /// The positional argument at `index` as an id.
    func positionalID<T: JournalID>(_ index: Int, _ type: T.Type, _ name: String) throws(ArgumentError) -> T {
        try Invocation.parseID(positionals[index], T.self, argument: name)
    }

    static func parseID<T: JournalID>(_ text: String, _ type: T.Type, argument: String) throws(ArgumentError) -> T {
        guard let v = T(canonical: text) else {
            throw ArgumentError(.inputInvalid, "\(argument) takes \(T.noun) ids like \(T.example), not \"\(text.prefix(60))\".")
        }
        return v
    }
}

extension String {
    var trimmedSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Splits `args` (without the program name) into the command and its options. The command
/// words come first (after an optional `--db PATH`); the command's own spec then says which
/// options are flags, so one command's flag never swallows another's value.
func parse(_ args: [String], specs: [CommandSpec], environmentDB: String?) throws(UsageError) -> Invocation {
    var db: String?
    var i = 0
    func dbValue(_ a: String) throws(UsageError) -> Bool {
        if a.hasPrefix("--db=") { db = String(a.dropFirst(5)); return true }
        guard a == "--db" else { return false }
        i += 1
        guard i < args.count else { throw UsageError(message: "--db needs a path", command: nil) }
        db = args[i]
        return true
    }
    while i < args.count, try dbValue(args[i]) { i += 1 }
    var words = [String]()
    while i < args.count, !args[i].hasPrefix("-"), words.count < 2 { words.append(args[i]); i += 1 }
    var spec: CommandSpec?
    var consumed = 0
    for n in stride(from: words.count, through: 1, by: -1) {
        let path = words.prefix(n).joined(separator: " ")
        if let s = specs.first(where: { $0.path == path }) { spec = s; consumed = n; break }
    }
    if words.isEmpty, i >= args.count || args[i...].allSatisfy({ $0 == "--help" || $0 == "-h" }) { spec = specs.first { $0.path == "help" } }
    guard let spec else {
        let guess = words.first.map { w in specs.filter { $0.path.hasPrefix(w + " ") }.map(\.path) } ?? []
        let what = words.isEmpty ? (i < args.count ? args[i] : "") : words.joined(separator: " ")
        throw UsageError(message: "unknown command \"\(what)\"" + (guess.isEmpty ? "" : "; try one of: \(guess.joined(separator: ", "))"), command: nil)
    }
    var positionals = Array(words.dropFirst(consumed))
    var options = [String: String]()
    var flags = Set<String>()
    while i < args.count {
        let a = args[i]
        if try dbValue(a) { i += 1; continue }
        if a == "--" { positionals.append(contentsOf: args[(i + 1)...]); break }
        if a == "-h" { flags.insert("help"); i += 1; continue }
        if a.hasPrefix("--"), a.count > 2 {
            var name = String(a.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if name == "help" || spec.flags.contains(name) {
                guard value == nil else { throw UsageError(message: "--\(name) takes no value", command: spec.path) }
                flags.insert(name)
            } else if spec.options.contains(name) {
                if value == nil {
                    i += 1
                    guard i < args.count else { throw UsageError(message: "--\(name) needs a value", command: spec.path) }
                    value = args[i]
                }
                guard options[name] == nil else { throw UsageError(message: "--\(name) is given twice", command: spec.path) }
                options[name] = value
            } else {
                throw UsageError(message: "\(spec.path) does not take --\(name)", command: spec.path)
            }
        } else {
            positionals.append(a)
        }
        i += 1
    }
    let inv = Invocation(spec: spec, positionals: positionals, options: options, flags: flags,
                         dbPath: db ?? environmentDB ?? "./kring.sqlite")
    if flags.contains("help") { return inv }
    for name in spec.required where options[name] == nil {
        throw UsageError(message: "\(spec.path) needs --\(name)", command: spec.path)
    }
    guard spec.positionals.contains(positionals.count) else {
        let want = spec.positionals.lowerBound == spec.positionals.upperBound ? "\(spec.positionals.lowerBound)" : "\(spec.positionals.lowerBound) to \(spec.positionals.upperBound)"
        throw UsageError(message: "\(spec.path) takes \(want) argument\(spec.positionals.upperBound == 1 ? "" : "s"), not \(positionals.count)", command: spec.path)
    }
    return inv
}
