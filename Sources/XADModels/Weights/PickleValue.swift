/// A value the restricted `Unpickler` can build: plain Python data, references to the few
/// allowed globals, and PyTorch's storages and tensors as descriptions (nothing is called).
package indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, as little-endian two's-complement bytes (the legacy
    /// checkpoint magic number is one).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// A tuple and the number of containers it nests, counting itself.
    case tuple([PickleValue], depth: Int)
    /// Lists and dicts are shared and mutable, as in Python: the memo and the stack may hold the
    /// same one while `APPENDS`/`SETITEMS` fill it.
    case list(PickleList)
    case dict(PickleDict)
    /// A reference to one of `Unpickler.allowedGlobals`.
    case global(module: String, name: String)
    /// What a persistent id resolved to (a checkpoint's storage).
    case storage(StorageReference)
    /// What `torch._utils._rebuild_tensor_v2` would have built.
    case tensor(TensorReference)

    /// A short name of the value's kind for error messages.
    package var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "a bool"
        case .int, .bigInt: "an int"
        case .float: "a float"
        case .string: "a string"
        case .bytes: "bytes"
        case .tuple: "a tuple"
        case .list: "a list"
        case .dict: "a dict"
        case .global(let module, let name): "the global \(module).\(name)"
        case .storage: "a storage"
        case .tensor: "a tensor"
        }
    }

    package var int: Int? { if case .int(let value) = self { value } else { nil } }
    package var string: String? { if case .string(let value) = self { value } else { nil } }
    /// The items of a tuple or a list.
    package var items: [PickleValue]? {
        switch self {
        case .tuple(let items, _): items
        case .list(let list): list.items
        default: nil
        }
    }
    /// How many containers deep the value nests (0 for a number or a string). The unpickler
    /// bounds it, because releasing a deeply nested value recurses once per level.
    package var depth: Int {
        switch self {
        case .tuple(_, let depth): depth
        case .list(let list): list.depth
        case .dict(let dict): dict.depth
        default: 0
        }
    }

    /// A tuple or list of ints, such as a shape or strides.
    package var ints: [Int]? {
        guard let items else { return nil }
        let ints = items.compactMap(\.int)
        return ints.count == items.count ? ints : nil
    }
}

/// A Python list being built by the unpickler.
package final class PickleList {
    package var items: [PickleValue] = []
    /// The containers nested in it, counting itself.
    package var depth = 1
    /// Set once the list is inside another container; from then on it may not change, so the
    /// depths recorded by its containers stay exact.
    package var isSealed = false
    package init() {}
}

/// A Python dict (or `collections.OrderedDict`) being built, keeping insertion order.
package final class PickleDict {
    package var entries: [(key: PickleValue, value: PickleValue)] = []
    /// Attributes set by `BUILD` (an OrderedDict's `_metadata`); kept, never interpreted.
    package var attributes: [(key: PickleValue, value: PickleValue)] = []
    /// The containers nested in it, counting itself.
    package var depth = 1
    /// Set once the dict is inside another container (see ``PickleList/isSealed``).
    package var isSealed = false
    package init() {}
}

/// A PyTorch storage named by a checkpoint: its key in the file, element type and element count.
package struct StorageReference: Sendable, Equatable {
    package let key: String
    package let dtype: WeightDType
    package let count: Int
}

/// A tensor as `torch._utils._rebuild_tensor_v2(storage, offset, shape, strides, ...)` describes
/// it; all counts are in elements of the storage's dtype.
package struct TensorReference: Sendable, Equatable {
    package let storage: StorageReference
    package let offset: Int
    package let shape: [Int]
    package let strides: [Int]
}
