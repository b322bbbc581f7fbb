/// The members of a `LedgerState`: their states in registration order, in an array, and the
/// position of each by id.
///
/// A dictionary of whole states kept its table at most three quarters full, so 100,000
/// members took 262,144 slots of a state and its id each (38 MiB); positions are a slot of an
/// id and a 32-bit number, and the states lie end to end.
public struct MemberTable: Sendable {
    private var positions: [MemberID: Int32] = [:]
    /// Every member, in registration order.
    public internal(set) var values: [MemberState] = []

    public init() {}

    /// The member with this id. Setting a new id registers it (after the others); setting nil
    /// is not done (members are never removed).
    public subscript(id: MemberID) -> MemberState? {
        get { positions[id].map { values[Int($0)] } }
        set {
            guard let newValue else { preconditionFailure("members are never removed") }
            if let i = positions[id] {
                values[Int(i)] = newValue
            } else {
                positions[id] = Int32(values.count)
                values.append(newValue)
            }
        }
    }

    /// Where the member with this id is in `values`.
    func index(forKey id: MemberID) -> Int? { positions[id].map(Int.init) }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }

    mutating func reserveCapacity(_ n: Int) {
        positions.reserveCapacity(n)
        values.reserveCapacity(n)
    }
}

extension MemberTable: Equatable {
    /// The same members with the same states, registered in the same order.
    public static func == (a: MemberTable, b: MemberTable) -> Bool { a.values == b.values }
}
