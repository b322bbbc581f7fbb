/// Records numbered 1, 2, 3, … in journal order (the replay checks it, so the n-th is at n):
/// whole, or, for a replay that only verifies (`compact`), each as a fixed-size row in a
/// `ColumnArray` whose memory the replay chooses (`verify` spills it to a file). The tables of
/// listings, loans and bookings keep theirs in one, and say how a record becomes a row and back.
struct NumberedRows<Record: Sendable, Row: BitwiseCopyable>: Sendable {
    let compact: Bool
    /// Every record, whole (not compact).
    private var records = ByNumber<Record>()
    /// Every record's row (compact).
    private var rows: ColumnArray<Row>

    init(compact: Bool, memory: ColumnMemory) {
        self.compact = compact
        rows = ColumnArray(memory: memory)
    }

    var count: Int { compact ? rows.count : records.count }

    /// The whole record numbered `n` (not compact).
    func record(_ n: Int64) -> Record? { records[n] }

    /// The row numbered `n` (compact).
    func row(_ n: Int64) -> Row? { n >= 1 && n <= Int64(rows.count) ? rows[Int(n - 1)] : nil }

    /// Adds the next record (not compact); `n` must be the next number.
    mutating func append(record: Record, number n: Int64) {
        precondition(!compact && n == Int64(count) + 1, "record \(n) out of sequence")
        records[n] = record
    }

    /// Adds the next row (compact); `n` must be the next number.
    mutating func append(row: Row, number n: Int64) {
        precondition(compact && n == Int64(count) + 1, "row \(n) out of sequence")
        rows.append(row)
    }

    /// Changes the record numbered `n`, which must be held (not compact).
    mutating func updateRecord(_ n: Int64, _ change: (inout Record) -> Void) { change(&records[n]!) }

    /// Changes or replaces the row numbered `n`, which must be held (compact).
    mutating func updateRow(_ n: Int64, _ change: (inout Row) -> Void) {
        precondition(n >= 1 && n <= Int64(rows.count), "row \(n) is not held")
        change(&rows[Int(n - 1)])
    }

    /// After reading many rows: see `ColumnArray.releaseResident`.
    func releaseResident() { rows.releaseResident() }
}
