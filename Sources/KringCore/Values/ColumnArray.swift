/// The bytes a `ColumnArray` keeps its values in: here, memory of the process's heap. A
/// subclass may keep them elsewhere: the store's `SpillFile` maps a temporary file, of which
/// the process keeps only the pages last used, so that a replay's columns (`verify`) do not
/// grow its resident memory with the journal. The core does no I/O; it only says, now and
/// then, which bytes it will not need soon (`relinquish`).
open class ColumnMemory: @unchecked Sendable {
    /// The first byte; nil until the first growth. Set by the memory itself only (a subclass
    /// that sets it some other way than the heap sets it back to nil in its `deinit`).
    public final var base: UnsafeMutableRawPointer?
    /// Bytes available from `base`.
    public final var capacity = 0

    public init() {}

    deinit { base?.deallocate() }

    /// Makes room for at least `bytes`, keeping the first `used`; sets `base` and `capacity`.
    open func grow(to bytes: Int, keeping used: Int) {
        let new = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        if let base {
            new.copyMemory(from: base, byteCount: used)
            base.deallocate()
        }
        base = new
        capacity = bytes
    }

    /// The bytes below `offset` will not be needed soon; a hint, which changes no value. Heap
    /// memory keeps them.
    open func relinquish(below offset: Int) {}

    /// Memory of the same kind holding a copy of the first `used` bytes.
    open func copy(keeping used: Int) -> ColumnMemory {
        let other = ColumnMemory()
        other.copyIn(from: self, used: used)
        return other
    }

    /// Fills freshly made memory with the first `used` bytes of `source`.
    public func copyIn(from source: ColumnMemory, used: Int) {
        guard used > 0, let from = source.base else { return }
        grow(to: used, keeping: 0)
        base!.copyMemory(from: from, byteCount: used)
    }
}

/// An array of fixed-size values in a `ColumnMemory`: the columns a replay keeps per exchange
/// and per listing, which grow with the journal's length. Every `releaseStride` bytes appended
/// or changed, it tells its memory that all but the last `keptBytes` will not be needed soon;
/// a reading pass may say so too (`releaseResident`, and `forEach` as it goes).
/// A value type: a copy shares the memory until one of them changes (copy on write).
///
/// Inlinable, so the store's columns are specialised for their element where they are used.
public struct ColumnArray<Element: BitwiseCopyable>: @unchecked Sendable {
    @usableFromInline var memory: ColumnMemory
    @usableFromInline var stored = 0
    /// How many values it holds.
    @inlinable public var count: Int { stored }
    @usableFromInline var writtenSinceRelease = 0

    @inlinable public static var releaseStride: Int { 1 << 20 }
    @inlinable public static var keptBytes: Int { 1 << 20 }
    @inlinable static var stride: Int { MemoryLayout<Element>.stride }

    /// An empty array in `memory` (heap memory by default).
    @inlinable public init(memory: ColumnMemory = ColumnMemory()) { self.memory = memory }

    @inlinable public var isEmpty: Bool { stored == 0 }
    /// The memory, for the tests that look at where it lies.
    public var storage: ColumnMemory { memory }

    @inlinable public subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "index \(index) out of 0..<\(count)")
            return memory.base!.load(fromByteOffset: index * Self.stride, as: Element.self)
        }
        set {
            precondition(index >= 0 && index < count, "index \(index) out of 0..<\(count)")
            unique()
            memory.base!.storeBytes(of: newValue, toByteOffset: index * Self.stride, as: Element.self)
            wrote()
        }
    }

    @inlinable public mutating func append(_ value: Element) {
        unique()
        let end = (count + 1) * Self.stride
        if end > memory.capacity {
            var bytes = max(memory.capacity * 2, 1 << 16)
            while bytes < end { bytes *= 2 }
            memory.grow(to: bytes, keeping: count * Self.stride)
        }
        memory.base!.storeBytes(of: value, toByteOffset: count * Self.stride, as: Element.self)
        stored += 1
        wrote()
    }

    /// Tells the memory that all but the last `keptBytes` will not be needed soon (after
    /// reading much of it: reading alone says nothing). No value changes.
    @inlinable public func releaseResident() { memory.relinquish(below: count * Self.stride - Self.keptBytes) }

    /// Every value, in order, saying as it goes that those read will not be needed soon.
    @inlinable public func forEach(_ body: (Element) throws -> Void) rethrows {
        let perRelease = max(Self.releaseStride / Self.stride, 1)
        for i in 0..<count {
            try body(memory.base!.load(fromByteOffset: i * Self.stride, as: Element.self))
            if (i + 1) % perRelease == 0 { memory.relinquish(below: (i + 1) * Self.stride) }
        }
    }

    @inlinable mutating func wrote() {
        writtenSinceRelease += Self.stride
        if writtenSinceRelease >= Self.releaseStride {
            writtenSinceRelease = 0
            releaseResident()
        }
    }

    @inlinable mutating func unique() {
        if !isKnownUniquelyReferenced(&memory) { memory = memory.copy(keeping: count * Self.stride) }
    }
}

/// `ByNumber` for fixed-size values, in a `ColumnArray`: the columns a replay keeps per row
/// that grow with the journal's length (the entry that last changed each exchange, listing,
/// booking or loan; each listing's words). The same numbering: setting the next number
/// appends, a number beyond it or below 1 is not kept.
public struct ColumnByNumber<Value: BitwiseCopyable>: Sendable {
    @usableFromInline var column: ColumnArray<Value>
    /// The values, by number less one.
    public var values: ColumnArray<Value> { column }

    @inlinable public init(memory: ColumnMemory = ColumnMemory()) { column = ColumnArray(memory: memory) }

    @inlinable public subscript(number: Int64) -> Value? {
        get { number >= 1 && number <= Int64(column.count) ? column[Int(number - 1)] : nil }
        set {
            guard let newValue, number >= 1, number <= Int64(column.count) + 1 else { return }
            if number == Int64(column.count) + 1 { column.append(newValue) } else { column[Int(number - 1)] = newValue }
        }
    }

    /// How many are held: numbers 1 through `count`.
    @inlinable public var count: Int { column.count }

    /// Sets the value numbered `number` (at least 1), first appending `padding` for every
    /// number before it not yet held: for columns keyed by a number that skips (a space's hours
    /// by its offer's number).
    @inlinable public mutating func set(_ number: Int64, _ value: Value, padding: Value) {
        precondition(number >= 1, "number \(number)")
        while Int64(column.count) < number - 1 { column.append(padding) }
        self[number] = value
    }

    /// See `ColumnArray.releaseResident`.
    @inlinable public func releaseResident() { column.releaseResident() }
}
