import XADImage
import XADTensor

/// A restricted pickle reader: it understands the opcodes (protocols 2 to 5) and the globals a
/// PyTorch state dict needs, builds plain values from them and never executes anything.
///
/// Python's own unpickler imports any global a pickle names and calls it, so a checkpoint can run
/// arbitrary code (`os.system`). This one knows ``allowedGlobals`` only; `REDUCE` on them is
/// interpreted (an `OrderedDict` becomes a dict, `_rebuild_tensor_v2` a ``TensorReference``),
/// and any other global or opcode is refused with a ``WeightError`` of kind `.forbidden`:
///
/// ```swift
/// "evil.pt: the pickle names the global os.system, which a state dict never needs; refusing to load"
/// ```
package struct Unpickler {
    /// The globals a state dict pickle may name, as `module.name`.
    package static let allowedGlobals: Set<String> = Set(
        ["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter"]
        + WeightDType.torchStorageNames.map { "torch.\($0)" })

    /// The file being read, for error messages.
    let file: String
    /// Resolves a persistent id (`BINPERSID`); checkpoints use it for their storages.
    let persistentLoad: ((PickleValue) throws -> PickleValue)?
    /// The depth and length bounds, read once per pickle.
    let limits = ReadingLimits.current

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Where the opcode being run starts, for error messages.
    private var opcodeStart = 0

    private init(file: String, persistentLoad: ((PickleValue) throws -> PickleValue)? = nil) {
        self.file = file
        self.persistentLoad = persistentLoad
    }

    /// Reads one pickle from `reader`'s position through its `STOP` opcode, leaving the reader
    /// just after it (a legacy checkpoint is several pickles in a row).
    package static func load(from reader: inout ByteReader,
                             persistentLoad: ((PickleValue) throws -> PickleValue)? = nil) throws -> PickleValue {
        var machine = Unpickler(file: reader.file, persistentLoad: persistentLoad)
        return try machine.run(&reader)
    }

    /// Reads the single pickle in `bytes`.
    package static func load(_ bytes: [UInt8], file: String) throws -> PickleValue {
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw, file: file, context: "the pickle")
            var machine = Unpickler(file: file)
            return try machine.run(&reader)
        }
    }

    private mutating func run(_ reader: inout ByteReader) throws -> PickleValue {
        var opcodesRun = 0
        while true {
            opcodeStart = reader.position
            // Memory grows with the opcodes run, so their number bounds it.
            opcodesRun += 1
            guard opcodesRun <= limits.maxPickleOpcodes else {
                throw malformed("more than \(limits.maxPickleOpcodes) opcodes \(limits.advice("maxPickleOpcodes"))")
            }
            let opcode = try reader.integer(UInt8.self)
            switch opcode {
            case 0x80:  // PROTO
                let version = try reader.integer(UInt8.self)
                guard version <= 5 else { throw malformed("pickle protocol \(version) is newer than 5") }
            case 0x95: _ = try reader.integer(UInt64.self)  // FRAME: a length hint only
            case 0x2e:  // STOP
                guard marks.isEmpty, stack.count == 1 else { throw malformed("STOP with \(stack.count) values on the stack") }
                return stack[0]
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line(&reader), name = try line(&reader)
                stack.append(try global(module, name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard let moduleName = module.string, let globalName = name.string else {
                    throw malformed("STACK_GLOBAL needs two strings, got \(module.kindName) and \(name.kindName)")
                }
                stack.append(try global(moduleName, globalName))
            case 0x7d: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x64:  // DICT
                let dict = PickleDict()
                try insert(try popMark(), into: dict, "DICT")
                stack.append(.dict(dict))
            case 0x5d: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x6c:  // LIST
                let list = PickleList()
                try append(try popMark(), to: list, "LIST")
                stack.append(.list(list))
            case 0x29: stack.append(.tuple([], depth: 1))  // EMPTY_TUPLE
            case 0x74: stack.append(try tuple(try popMark()))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let count = Int(opcode - 0x84)
                guard stack.count - (marks.last ?? 0) >= count else { throw malformed("TUPLE\(count) on a short stack") }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(try tuple(items))
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try insert([key, value], into: top(dictFor: "SETITEM"), "SETITEM")
            case 0x75:  // SETITEMS
                let items = try popMark()
                try insert(items, into: top(dictFor: "SETITEMS"), "SETITEMS")
            case 0x61:  // APPEND
                let value = try pop()
                try append([value], to: top(listFor: "APPEND"), "APPEND")
            case 0x65:  // APPENDS
                let items = try popMark()
                try append(items, to: top(listFor: "APPENDS"), "APPENDS")
            case 0x4a: stack.append(.int(Int(try reader.integer(Int32.self))))  // BININT
            case 0x4b: stack.append(.int(Int(try reader.integer(UInt8.self))))  // BININT1
            case 0x4d: stack.append(.int(Int(try reader.integer(UInt16.self))))  // BININT2
            case 0x8a: stack.append(Self.long(Array(try reader.take(Int(try reader.integer(UInt8.self))))))  // LONG1
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try reader.integer(UInt64.self)))))  // BINFLOAT
            case 0x8c: stack.append(.string(try reader.string(try reader.length(UInt8.self))))  // SHORT_BINUNICODE
            case 0x58: stack.append(.string(try reader.string(try reader.length(UInt32.self))))  // BINUNICODE
            case 0x8d: stack.append(.string(try reader.string(try reader.length(UInt64.self))))  // BINUNICODE8
            case 0x55: stack.append(.string(try reader.string(try reader.length(UInt8.self))))  // SHORT_BINSTRING
            case 0x54: stack.append(.string(try reader.string(try reader.length(UInt32.self))))  // BINSTRING
            case 0x43: stack.append(.bytes(Array(try reader.take(try reader.length(UInt8.self)))))  // SHORT_BINBYTES
            case 0x42: stack.append(.bytes(Array(try reader.take(try reader.length(UInt32.self)))))  // BINBYTES
            case 0x8e: stack.append(.bytes(Array(try reader.take(try reader.length(UInt64.self)))))  // BINBYTES8
            case 0x51:  // BINPERSID
                let pid = try pop()
                guard let persistentLoad else { throw malformed("a persistent id outside a checkpoint") }
                stack.append(try persistentLoad(pid))
            case 0x71: memo[Int(try reader.integer(UInt8.self))] = try peek()  // BINPUT
            case 0x72: memo[Int(try reader.integer(UInt32.self))] = try peek()  // LONG_BINPUT
            case 0x94: memo[memo.count] = try peek()  // MEMOIZE
            case 0x68: stack.append(try recall(Int(try reader.integer(UInt8.self))))  // BINGET
            case 0x6a: stack.append(try recall(Int(try reader.integer(UInt32.self))))  // LONG_BINGET
            case 0x52:  // REDUCE
                let arguments = try pop(), callable = try pop()
                stack.append(try reduce(callable, arguments))
            case 0x62:  // BUILD: only an OrderedDict's attributes (`_metadata`)
                let state = try pop()
                guard case .dict(let attributes) = state else { throw malformed("BUILD with \(state.kindName) as state") }
                let target = try top(dictFor: "BUILD")
                guard !target.isSealed else { throw malformed("BUILD on a dict already inside another container") }
                target.depth = max(target.depth, try containerDepth(holding: [state]))
                target.attributes += attributes.entries
            case 0x4e: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            default:
                throw refused(opcode)
            }
        }
    }

    // MARK: Globals and calls

    private func global(_ module: String, _ name: String) throws -> PickleValue {
        guard Self.allowedGlobals.contains("\(module).\(name)") else {
            throw WeightError(.forbidden, file,
                              "the pickle names the global \(module).\(name), which a state dict never needs; refusing to load")
        }
        return .global(module: module, name: name)
    }

    /// What calling an allowed global would return, computed without calling anything.
    private func reduce(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(let module, let name) = callable, case .tuple(let arguments, _) = arguments else {
            throw malformed("REDUCE needs a global and an argument tuple, got \(callable.kindName) and \(arguments.kindName)")
        }
        switch "\(module).\(name)" {
        case "collections.OrderedDict" where arguments.isEmpty:
            return .dict(PickleDict())
        case "torch._utils._rebuild_tensor_v2" where (6...7).contains(arguments.count):
            guard case .storage(let storage) = arguments[0], let offset = arguments[1].int,
                  let shape = arguments[2].ints, let strides = arguments[3].ints else {
                throw malformed("_rebuild_tensor_v2 needs (storage, offset, shape, strides, ...), got "
                                + arguments.prefix(4).map(\.kindName).joined(separator: ", "))
            }
            return .tensor(TensorReference(storage: storage, offset: offset, shape: shape, strides: strides))
        case "torch._utils._rebuild_parameter" where arguments.count == 3:
            guard case .tensor = arguments[0] else { throw malformed("_rebuild_parameter of \(arguments[0].kindName)") }
            return arguments[0]
        default:
            throw WeightError(.forbidden, file,
                              "the pickle calls \(module).\(name) with \(arguments.count) arguments, which a state dict never does; refusing to load")
        }
    }

    // MARK: Stack, marks and memo

    private mutating func pop() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast() else { throw malformed("pop from an empty stack") }
        return value
    }

    private func peek() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw malformed("memoize with an empty stack") }
        return value
    }

    /// The values pushed since the last MARK, which is removed.
    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK to pop to") }
        defer { stack.removeLast(stack.count - mark) }
        return Array(stack[mark...])
    }

    private func recall(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw malformed("memo entry \(index) was never stored") }
        return value
    }

    private func top(dictFor opcode: String) throws -> PickleDict {
        guard case .dict(let dict)? = stack.last else { throw malformed("\(opcode) on \(stack.last?.kindName ?? "an empty stack")") }
        return dict
    }

    private func top(listFor opcode: String) throws -> PickleList {
        guard case .list(let list)? = stack.last else { throw malformed("\(opcode) on \(stack.last?.kindName ?? "an empty stack")") }
        return list
    }

    // MARK: Containers

    /// The depth of a container holding `values`, which are sealed: a list or dict inside
    /// another container may no longer change, so recorded depths stay exact.
    private func containerDepth(holding values: [PickleValue]) throws -> Int {
        var deepest = 0
        for value in values {
            if case .list(let list) = value { list.isSealed = true }
            if case .dict(let dict) = value { dict.isSealed = true }
            deepest = max(deepest, value.depth)
        }
        // A state dict nests about 4 deep; ReadingLimits.maxNestingDepth bounds the recursion.
        guard deepest < limits.maxNestingDepth else {
            throw malformed("containers nest more than \(limits.maxNestingDepth) deep, which a state dict never needs "
                            + limits.advice("maxNestingDepth"))
        }
        return deepest + 1
    }

    private func tuple(_ items: [PickleValue]) throws -> PickleValue {
        .tuple(items, depth: try containerDepth(holding: items))
    }

    private func append(_ items: [PickleValue], to list: PickleList, _ opcode: String) throws {
        guard !list.isSealed else { throw malformed("\(opcode) on a list already inside another container") }
        list.depth = max(list.depth, try containerDepth(holding: items))
        list.items += items
    }

    /// Adds alternating keys and values.
    private func insert(_ items: [PickleValue], into dict: PickleDict, _ opcode: String) throws {
        guard items.count.isMultiple(of: 2) else { throw malformed("\(opcode) with an odd number of items") }
        guard !dict.isSealed else { throw malformed("\(opcode) on a dict already inside another container") }
        dict.depth = max(dict.depth, try containerDepth(holding: items))
        for pair in stride(from: 0, to: items.count, by: 2) { dict.entries.append((items[pair], items[pair + 1])) }
    }

    // MARK: Decoding helpers

    /// A text line of a GLOBAL opcode (module or name), at most 256 bytes.
    private func line(_ reader: inout ByteReader) throws -> String {
        let start = reader.position
        var length = 0
        while try reader.integer(UInt8.self) != 0x0a {
            length += 1
            guard length <= 256 else { throw malformed("a GLOBAL name longer than 256 bytes") }
        }
        reader.position = start
        defer { reader.position += 1 }
        return try reader.string(length)
    }

    /// A little-endian two's-complement integer of any width (LONG1).
    static func long(_ bytes: [UInt8]) -> PickleValue {
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        guard let last = bytes.last else { return .int(0) }
        var value: UInt64 = last & 0x80 == 0 ? 0 : ~0  // sign extension
        for byte in bytes.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int(truncatingIfNeeded: value))
    }

    private func malformed(_ problem: String) -> WeightError {
        WeightError(.malformed, file, "the pickle is malformed at byte \(opcodeStart): \(problem)")
    }

    private func refused(_ opcode: UInt8) -> WeightError {
        let name = Self.refusedOpcodeNames[opcode].map { " (\($0))" } ?? ""
        let known = name.isEmpty ? "an unknown opcode" : "the opcode"
        return WeightError(.forbidden, file,
                           "the pickle uses \(known) 0x\(String(opcode, radix: 16))\(name) at byte \(opcodeStart), which a state dict never needs; refusing to load")
    }

    /// Python pickle opcodes that exist but that a state dict never needs, named in errors.
    private static let refusedOpcodeNames: [UInt8: String] = [
        0x69: "INST", 0x6f: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x50: "PERSID", 0x82: "EXT1",
        0x83: "EXT2", 0x84: "EXT4", 0x49: "INT", 0x4c: "LONG", 0x46: "FLOAT", 0x53: "STRING",
        0x56: "UNICODE", 0x67: "GET", 0x70: "PUT", 0x32: "DUP", 0x8b: "LONG4", 0x8f: "EMPTY_SET",
        0x90: "ADDITEMS", 0x91: "FROZENSET", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
    ]
}
