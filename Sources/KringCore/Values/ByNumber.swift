/// Values by the number the journal gives each row of a kind, in order from 1 (exchanges,
/// listings, bookings, loans, challenges; a replay checks the order), so an array holds them
/// instead of a hashed dictionary: a listing costs its own size, not that and a share of a
/// table kept at most three quarters full, and a lookup is an index, not a hash.
/// Setting the next number appends; a number beyond it, or below 1, is not kept, and nothing
/// is removed.
public struct ByNumber<Value> {
    public private(set) var values: [Value] = []

    public init() {}

    public subscript(number: Int64) -> Value? {
        get { number >= 1 && number <= Int64(values.count) ? values[Int(number - 1)] : nil }
        set {
            guard let newValue, number >= 1, number <= Int64(values.count) + 1 else { return }
            if number == Int64(values.count) + 1 { values.append(newValue) } else { values[Int(number - 1)] = newValue }
        }
    }

    /// How many are held: numbers 1 through `count`.
    public var count: Int { values.count }

    /// The numbers held, in order.
    public var numbers: Range<Int64> { 1..<Int64(values.count) + 1 }
}

extension ByNumber: Sendable where Value: Sendable {}
extension ByNumber: Equatable where Value: Equatable {}
