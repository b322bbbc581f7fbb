/// Reads the journal payloads of the commonest events (exchanges proposed, confirmed, recorded,
/// rejected, cancelled and expired; members added; listings posted, edited, renewed and
/// withdrawn; goods lent and returned; spaces booked: 97 entries in 100 in the demo) straight
/// from their bytes, with no JSON tree between.
///
/// It accepts only the bytes the canonical writer makes (keys in their order, no blanks, the
/// writer's escapes and nothing else, valid UTF-8, numbers without leading zeros, canonical ids
/// and days) and the values the general decoder accepts, so what it reads needs no encoding
/// again to be known canonical. It gives up, with nil, on anything else; the general decoder
/// then reads the entry (legacy ids, faults and all) and compares its encoding with the bytes.
/// A test holds the two to accepting the same mutated payloads as the same events.
struct PayloadReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The event in `payload` of journal type `type`, with the actor it names (nil when it
    /// names none); nil when the type is not one read here or the bytes are not as expected.
    static func event(type: EventType, payload: UnsafeBufferPointer<UInt8>) -> (event: Event, actor: Actor?)? {
        var reader = PayloadReader(payload)
        return reader.event(type: type)
    }

    private mutating func event(type: EventType) -> (event: Event, actor: Actor?)? {
        guard literal("{") else { return nil }
        var actor: Actor?
        if literal("\"actor\":") {
            guard let a = self.actor() else { return nil }
            actor = a
            guard literal(",") else { return nil }
        }
        let event: Event
        switch type {
        case .exchangeProposed:
            guard literal("\"exchange\":"), let info = exchangeInfo() else { return nil }
            event = .exchangeProposed(ExchangeProposed(exchange: info))
        case .exchangeConfirmed:
            guard literal("\"by\":"), let by = self.actor(), by == .automatic || by.member != nil,
                  literal(",\"id\":"), let id: ExchangeID = numbered(),
                  literal(",\"transfers\":"), let transfers = transfers() else { return nil }
            event = .exchangeConfirmed(ExchangeConfirmed(id: id, by: by, transfers: transfers))
        case .exchangeRecorded:
            guard literal("\"exchange\":"), let info = exchangeInfo() else { return nil }
            var imported: ImportSource?
            if literal(",\"import\":") {
                guard literal("{\"row\":"), let row = int(), literal(",\"source\":"), let source = string(), literal("}") else { return nil }
                imported = ImportSource(source: source, row: row)
            }
            guard literal(",\"reason\":"), let reason = optionalString(),
                  literal(",\"transfers\":"), let transfers = transfers() else { return nil }
            event = .exchangeRecorded(ExchangeRecorded(exchange: info, reason: reason, transfers: transfers, imported: imported))
        case .exchangeRejected, .exchangeCancelled:
            // `{"by", "id"}`, and `"reason"` only when one was given.
            guard literal("\"by\":"), let by = member(), literal(",\"id\":"), let id: ExchangeID = numbered() else { return nil }
            var reason: String?
            if literal(",\"reason\":") {
                guard let r = string() else { return nil }
                reason = r
            }
            event = type == .exchangeRejected ? .exchangeRejected(ExchangeRejected(id: id, by: by, reason: reason))
                : .exchangeCancelled(ExchangeCancelled(id: id, by: by, reason: reason))
        case .memberAdded:
            guard literal("\"member\":{\"domains\":"), let domains = list({ $0.string() }), literal(",\"id\":"), let id = member(),
                  literal(",\"joined\":"), let joined = day(), literal(",\"kind\":"), let kindText = string(), let kind = MemberKind(rawValue: kindText),
                  literal(",\"name\":"), let name = string(), literal(",\"neighbourhood\":"), let neighbourhood = optionalString(),
                  literal("}") else { return nil }
            event = .memberAdded(MemberAdded(member: MemberInfo(id: id, name: name, kind: kind, neighbourhood: neighbourhood, domains: domains, joined: joined)))
        case .listingPosted, .listingEdited:
            guard literal("\"listing\":"), let listing = listingInfo() else { return nil }
            event = type == .listingPosted ? .listingPosted(ListingPosted(listing: listing)) : .listingEdited(ListingEdited(listing: listing))
        case .exchangeExpired:
            guard literal("\"id\":"), let id: ExchangeID = numbered(), literal(",\"reason\":"), let reason = optionalString() else { return nil }
            event = .exchangeExpired(ExchangeExpired(id: id, reason: reason))
        case .listingRenewed:
            guard literal("\"expires\":"), let expires = day(), literal(",\"id\":"), let id: ListingID = self.id() else { return nil }
            event = .listingRenewed(ListingRenewed(id: id, expires: expires))
        case .listingWithdrawn:
            guard literal("\"by\":"), let by = self.actor(), literal(",\"id\":"), let id: ListingID = self.id() else { return nil }
            event = .listingWithdrawn(ListingWithdrawn(id: id, by: by))
        case .goodsLent:
            guard literal("\"loan\":{\"borrower\":"), let borrower = member(), literal(",\"due\":"), let due = day(),
                  literal(",\"id\":"), let id: LoanID = numbered(), literal(",\"lender\":"), let lender = member(),
                  literal(",\"lent\":"), let lent = day(), literal(",\"offer\":") else { return nil }
            var offer: ListingID?
            if !literal("null") {
                guard let o: ListingID = self.id() else { return nil }
                offer = o
            }
            guard literal(",\"what\":"), let what = string(), literal("}") else { return nil }
            event = .goodsLent(GoodsLent(loan: LoanInfo(id: id, lender: lender, borrower: borrower, what: what, offer: offer, lent: lent, due: due)))
        case .goodsReturned:
            guard literal("\"id\":"), let id: LoanID = numbered(), literal(",\"on\":"), let on = day() else { return nil }
            event = .goodsReturned(GoodsReturned(id: id, on: on))
        case .spaceBooked:
            guard literal("\"booking\":{\"date\":"), let date = day(), literal(",\"end\":"), let end = int(),
                  literal(",\"id\":"), let id: BookingID = numbered(), literal(",\"member\":"), let member = member(),
                  literal(",\"offer\":"), let offer: ListingID = self.id(), literal(",\"people\":"), let people = int() else { return nil }
            var question: String?
            if literal(",\"question\":") {
                guard let q = string() else { return nil }
                question = q
            }
            guard literal(",\"start\":"), let start = int(), literal("}") else { return nil }
            event = .spaceBooked(SpaceBooked(booking: BookingInfo(id: id, offer: offer, member: member, date: date, start: start, end: end,
                                                                  people: people, question: question)))
        default:
            return nil
        }
        guard literal("}"), i == bytes.count else { return nil }
        return (event, actor)
    }

    // MARK: Shapes

    private mutating func exchangeInfo() -> ExchangeInfo? {
        guard literal("{\"credits\":"), let credits = int(),
              literal(",\"date\":"), let dateText = string(), let date = Day(iso: dateText),
              literal(",\"domain\":"), let domain = string(),
              literal(",\"expires\":"), let expires = optionalInt(),
              literal(",\"id\":"), let id: ExchangeID = numbered(),
              literal(",\"kind\":"), let kindText = string(), let kind = ExchangeKind(rawValue: kindText) else { return nil }
        var links = [ExchangeLink]()
        if literal(",\"links\":") {
            guard let l: [ExchangeLink] = ids() else { return nil }
            links = l
        }
        guard literal(",\"proposer\":"), let proposer = optionalMember(),
              literal(",\"providers\":"), let providers = members(),
              literal(",\"quantity\":"), let quantity = int(),
              literal(",\"receivers\":"), let receivers = members(),
              literal(",\"what\":"), let what = string(), literal("}") else { return nil }
        return ExchangeInfo(id: id, proposer: proposer, providers: providers, receivers: receivers, kind: kind, domain: domain, what: what,
                            credits: Minutes(credits), quantity: quantity, date: date, expiresAt: expires, links: links)
    }

    /// A listing's version as `ListingInfo.json` writes it; the side must be its id's.
    private mutating func listingInfo() -> ListingInfo? {
        guard literal("{\"author\":"), let author = member(), literal(",\"availability\":"), let availability = optionalString() else { return nil }
        var challenge: ChallengeID?
        if literal(",\"challenge\":") {
            guard let c: ChallengeID = numbered() else { return nil }
            challenge = c
        }
        guard literal(",\"domain\":"), let domain = string(), literal(",\"expires\":"), let expires = day(),
              literal(",\"id\":"), let id: ListingID = self.id(),
              literal(",\"kind\":"), let kindText = string(), let kind = ExchangeKind(rawValue: kindText),
              literal(",\"place\":"), let place = optionalString(), literal(",\"side\":"), let side = string(), side == id.side.rawValue,
              literal(",\"text\":"), let text = string(), literal(",\"title\":"), let title = string(),
              literal(",\"version\":"), let version = int(), literal("}") else { return nil }
        return ListingInfo(id: id, author: author, kind: kind, domain: domain, title: title, text: text, place: place, availability: availability,
                           expires: expires, version: version, challenge: challenge)
    }

    /// A day as `YYYY-MM-DD`.
    private mutating func day() -> Day? { string().flatMap { Day(iso: $0) } }

    /// An array of what `item` reads, each item read by it.
    private mutating func list<T>(_ item: (inout PayloadReader) -> T?) -> [T]? {
        guard literal("[") else { return nil }
        var out = [T]()
        if literal("]") { return out }
        repeat {
            guard let v = item(&self) else { return nil }
            out.append(v)
        } while literal(",")
        return literal("]") ? out : nil
    }

    private mutating func transfers() -> [Transfer]? {
        list { r in
            guard r.literal("{\"from\":"), let from = r.member(), r.literal(",\"minutes\":"), let minutes = r.int(),
                  r.literal(",\"to\":"), let to = r.member(), r.literal("}") else { return nil }
            return Transfer(from: from, to: to, minutes: Minutes(minutes))
        }
    }

    // MARK: Values

    /// Consumes `text` if the bytes continue with it.
    private mutating func literal(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard bytes.count - i >= n else { return false }
        let matches = text.withUTF8Buffer { t in
            for k in 0..<n where bytes[i + k] != t[k] { return false }
            return true
        }
        if matches { i += n }
        return matches
    }

    /// Text from valid UTF-8 only (`String(decoding:)` would repair invalid bytes, which the
    /// writer could then not have written).
    private static func text(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        let s = String(decoding: utf8, as: UTF8.self)
        if utf8.allSatisfy({ $0 < 0x80 }) { return s }
        return s.utf8.elementsEqual(utf8) ? s : nil
    }

    /// A string as `JSON.writeString` writes it: valid UTF-8; no control character but as an
    /// escape; `\"`, `\\`, `\n`, `\r` and `\t` for those; `\u00XX` in small hex for the other
    /// control characters; nothing else escaped.
    private mutating func string() -> String? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var j = start
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), bytes[j] >= 0x20 { j += 1 }
        guard j < bytes.count else { return nil }
        if bytes[j] == UInt8(ascii: "\"") {
            i = j + 1
            return PayloadReader.text(UnsafeBufferPointer(rebasing: bytes[start..<j]))
        }
        var out = Array(bytes[start..<j])
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") {
                i = j + 1
                return out.withUnsafeBufferPointer { PayloadReader.text($0) }
            }
            guard b >= 0x20 else { return nil }
            guard b == UInt8(ascii: "\\") else { out.append(b); j += 1; continue }
            guard j + 1 < bytes.count else { return nil }
            switch bytes[j + 1] {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard j + 5 < bytes.count, bytes[j + 2] == UInt8(ascii: "0"), bytes[j + 3] == UInt8(ascii: "0"),
                      let high = PayloadReader.hexDigit(bytes[j + 4]), high <= 1, let low = PayloadReader.hexDigit(bytes[j + 5]) else { return nil }
                let c = high << 4 | low
                guard c != 0x09, c != 0x0a, c != 0x0d else { return nil }  // written as \t, \n, \r
                out.append(c)
                j += 4
            default: return nil
            }
            j += 2
        }
        return nil
    }

    private static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// A string or null: `.some(nil)` for null, nil when neither.
    private mutating func optionalString() -> String?? {
        if literal("null") { return .some(nil) }
        return string().map { .some($0) }
    }

    /// A whole number in decimal digits, `-` before a negative one, no leading zero (`0`, never
    /// `-0` or `07`); nil on overflow.
    private mutating func int() -> Int64? {
        let negative = literal("-")
        var value: Int64 = 0
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            guard !negative, i + 1 >= bytes.count || !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i + 1]) else { return nil }
        }
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let digit = Int64(bytes[i] - UInt8(ascii: "0"))
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = plus
            i += 1
        }
        return i > start ? value : nil
    }

    /// A number or null: `.some(nil)` for null.
    private mutating func optionalInt() -> Int64?? {
        if literal("null") { return .some(nil) }
        return int().map { .some($0) }
    }

    /// An id in its canonical form.
    private mutating func id<T: JournalID>() -> T? { string().flatMap { T(canonical: $0) } }

    /// The bytes between two quotes, taken as they are: for ids and actors, whose canonical forms
    /// need no escapes (a backslash in them is then refused by their own parser).
    private mutating func quoted() -> UnsafeBufferPointer<UInt8>? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += 1 }
        guard j < bytes.count else { return nil }
        defer { i = j + 1 }
        return UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])
    }

    /// A member's handle, read from the bytes.
    private mutating func member() -> MemberID? { quoted().flatMap { MemberID(canonicalUTF8: $0) } }

    /// A handle or null: `.some(nil)` for null.
    private mutating func optionalMember() -> MemberID?? {
        if literal("null") { return .some(nil) }
        return member().map { .some($0) }
    }

    /// A list of handles.
    private mutating func members() -> [MemberID]? { list { $0.member() } }

    /// An actor, as `Actor(journal:)` reads it.
    private mutating func actor() -> Actor? { quoted().flatMap { Actor(journal: String(decoding: $0, as: UTF8.self)) } }

    /// A numbered id in its canonical form (`ex-12`).
    private mutating func numbered<T: NumberedID>() -> T? { quoted().flatMap { T(canonicalUTF8: $0) } }

    /// A list of ids.
    private mutating func ids<T: JournalID>() -> [T]? { list { $0.id() } }
}
