import Foundation
import Testing
import XADTestSupport
import XADModels

/// Pickles written opcode by opcode (protocol numbers and layouts from Python's pickletools), and
/// the hostile files made by Tools/reference/gen_weights.py.
@Suite("Restricted unpickler")
struct UnpicklerTests {
    /// `pickle.dumps({"a": [1, -2, 300, 70000], "b": (1.5, None, True)}, protocol=2)`, checked with
    /// pickletools: EMPTY_DICT, BINPUT, MARK, BINUNICODE, EMPTY_LIST, APPENDS, BININT1/BININT/
    /// BININT2, BINFLOAT, TUPLE3, SETITEMS, STOP.
    @Test func readsPlainValuesOfProtocol2() throws {
        let bytes: [UInt8] = [
            0x80, 0x02, 0x7d, 0x71, 0x00, 0x28,
            0x58, 0x01, 0x00, 0x00, 0x00, 0x61, 0x71, 0x01,
            0x5d, 0x71, 0x02, 0x28, 0x4b, 0x01, 0x4a, 0xfe, 0xff, 0xff, 0xff, 0x4d, 0x2c, 0x01,
            0x4a, 0x70, 0x11, 0x01, 0x00, 0x65,
            0x58, 0x01, 0x00, 0x00, 0x00, 0x62, 0x71, 0x03,
            0x47, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4e, 0x88, 0x87, 0x71, 0x04,
            0x75, 0x2e,
        ]
        let value = try Unpickler.load(bytes, file: "inline.pkl")
        guard case .dict(let dict) = value else { Issue.record("not a dict: \(value.kindName)"); return }
        #expect(dict.entries.map { $0.key.string } == ["a", "b"])
        #expect(dict.entries[0].value.ints == [1, -2, 300, 70000])
        guard case .tuple(let tuple, _) = dict.entries[1].value, tuple.count == 3,
              case .float(let number) = tuple[0], case .none = tuple[1], case .bool(true) = tuple[2] else {
            Issue.record("bad tuple \(dict.entries[1].value.kindName)")
            return
        }
        #expect(number == 1.5)
    }

    @Test func memoSharesListsAndLong1DecodesSignedIntegers() throws {
        // EMPTY_LIST, BINPUT 0, BINGET 0, TUPLE1 (the same list), then APPEND through the
        // tuple's list: [[], ] shares; LONG1 values -1 (ff), 2**63 - 1 and -(2**63).
        let bytes: [UInt8] = [
            0x80, 0x02, 0x5d, 0x71, 0x00,
            0x8a, 0x01, 0xff, 0x61,                                                    // APPEND -1
            0x8a, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x61,        // APPEND 2**63-1
            0x8a, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x61,        // APPEND -(2**63)
            0x68, 0x00, 0x86, 0x2e,                                                    // (list, list)
        ]
        guard case .tuple(let pair, _) = try Unpickler.load(bytes, file: "memo.pkl"), pair.count == 2,
              case .list(let first) = pair[0], case .list(let second) = pair[1] else {
            Issue.record("not a pair of lists")
            return
        }
        #expect(first === second)
        #expect(first.items.compactMap(\.int) == [-1, Int.max, Int.min])
    }

    @Test func refusesForbiddenGlobalNamedByGlobalOpcode() throws {
        let url = Fixture.directory.appendingPathComponent("weights/forbidden_global.pkl")
        let bytes = try [UInt8](Data(contentsOf: url))
        let error = #expect(throws: WeightError.self) { try Unpickler.load(bytes, file: url.path) }
        #expect(error?.kind == .forbidden)
        #expect(error?.description
                == "\(url.path): the pickle names the global os.system, which a state dict never needs; refusing to load")
    }

    @Test func refusesForbiddenGlobalNamedByStackGlobal() throws {
        let url = Fixture.directory.appendingPathComponent("weights/eval_stack_global.pkl")
        let bytes = try [UInt8](Data(contentsOf: url))
        let error = #expect(throws: WeightError.self) { try Unpickler.load(bytes, file: url.path) }
        #expect(error?.description.contains("the global builtins.eval") == true)
    }

    @Test func refusesUnknownAndUnneededOpcodesByByte() throws {
        let unknown = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0xff, 0x2e], file: "x.pkl") }
        #expect(unknown?.description == "x.pkl: the pickle uses an unknown opcode 0xff at byte 2, which a state dict never needs; refusing to load")
        // INST ('i'): the protocol-0 way to build an object from any class.
        let inst = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0x28, 0x69], file: "x.pkl") }
        #expect(inst?.description.contains("0x69 (INST) at byte 3") == true)
    }

    @Test func refusesCallingAnAllowedGlobalThatIsNotARebuildFunction() throws {
        // GLOBAL torch FloatStorage, EMPTY_TUPLE, REDUCE: naming the storage type is fine, calling it is not.
        let bytes: [UInt8] = [0x80, 0x02, 0x63] + Array("torch\nFloatStorage\n".utf8) + [0x29, 0x52, 0x2e]
        let error = #expect(throws: WeightError.self) { try Unpickler.load(bytes, file: "call.pkl") }
        #expect(error?.kind == .forbidden)
        #expect(error?.description.contains("calls torch.FloatStorage") == true)
    }

    @Test func truncatedAndMalformedPicklesThrowNamingTheFile() throws {
        let truncated = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0x58, 0x10, 0x00], file: "cut.pkl") }
        #expect(truncated?.kind == .truncated)
        #expect(truncated?.description.hasPrefix("cut.pkl: the pickle is cut short") == true)
        let noStop = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0x4e], file: "cut.pkl") }
        #expect(noStop?.kind == .truncated)
        let underflow = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0x74, 0x2e], file: "bad.pkl") }
        #expect(underflow?.description == "bad.pkl: the pickle is malformed at byte 2: no MARK to pop to")
        let missingMemo = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0x68, 0x07, 0x2e], file: "bad.pkl") }
        #expect(missingMemo?.description.contains("memo entry 7 was never stored") == true)
        let persistent = #expect(throws: WeightError.self) { try Unpickler.load([0x80, 0x02, 0x4e, 0x51, 0x2e], file: "bad.pkl") }
        #expect(persistent?.kind == .malformed)
    }

    /// Releasing a value nested a million levels deep would overflow the stack; the unpickler
    /// stops at 100 levels, and a list may not grow after it is inside another container
    /// (which would hide how deep it is).
    @Test func deepNestingIsRefusedBeforeItCanCrash() throws {
        let deep: [UInt8] = [0x80, 0x02, 0x4e] + [UInt8](repeating: 0x85, count: 1_000_000) + [0x2e]
        let error = #expect(throws: WeightError.self) { try Unpickler.load(deep, file: "deep.pkl") }
        #expect(error?.description == "deep.pkl: the pickle is malformed at byte 103: containers nest more than 100 deep, which a state dict never needs "
                + "(the limit maxNestingDepth=100; raise it with XAD_LIMITS=maxNestingDepth=N or xad --limits)")
        // EMPTY_LIST, BINPUT 0, TUPLE1, BINGET 0, NONE, APPEND: the list changes inside the tuple.
        let grown: [UInt8] = [0x80, 0x02, 0x5d, 0x71, 0x00, 0x85, 0x68, 0x00, 0x4e, 0x61, 0x2e]
        let sealed = #expect(throws: WeightError.self) { try Unpickler.load(grown, file: "grow.pkl") }
        #expect(sealed?.description == "grow.pkl: the pickle is malformed at byte 9: APPEND on a list already inside another container")
    }
}
