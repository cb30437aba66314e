/// A value that owns named tensors (trainable parameters and non-trainable buffers) and child
/// modules: the unit that is loaded from named weights, differentiated and optimised.
///
/// A module lists what it owns in ``visit(_:)``; everything else (listing parameters by dotted
/// name, loading a checkpoint, watching parameters on a tape, applying an optimiser) is built on
/// that one method. Names follow PyTorch's `state_dict`, so `"features.0.weight"` is the weight
/// of child `"0"` of child `"features"`, and PyTorch checkpoints load without renaming.
///
/// ```swift
/// struct Head: Module {
///     var projection: Linear
///     var norm: BatchNorm2D
///     mutating func visit(_ visitor: inout ModuleVisitor) {
///         visitor.child("projection", &projection)   // "projection.weight", "projection.bias"
///         visitor.child("norm", &norm)               // "norm.weight", ..., "norm.running_var"
///     }
/// }
/// ```
public protocol Module: Sendable {
    /// Presents every tensor this module owns, and every child module, to `visitor` by name,
    /// in a fixed order. The visitor may replace the tensors (loading, optimising).
    mutating func visit(_ visitor: inout ModuleVisitor)
}

/// Walks a module tree, handing each tensor to one function with its dotted name and role.
/// Modules call ``parameter(_:_:)-(_,Tensor)``, ``buffer(_:_:)`` and ``child(_:_:)`` from their
/// ``Module/visit(_:)``.
public struct ModuleVisitor {
    /// Whether a tensor is trained (a parameter) or only carried along (a buffer, such as batch
    /// norm's running statistics).
    public enum Role: Sendable {
        case parameter, buffer
    }

    private var prefix = ""
    private let body: (_ name: String, _ role: Role, _ tensor: inout Tensor) -> Void

    private init(body: @escaping (String, Role, inout Tensor) -> Void) {
        self.body = body
    }

    /// Presents a trainable tensor.
    public mutating func parameter(_ name: String, _ tensor: inout Tensor) {
        body(prefix + name, .parameter, &tensor)
    }

    /// Presents an optional trainable tensor (a bias that may be absent); nothing when nil.
    public mutating func parameter(_ name: String, _ tensor: inout Tensor?) {
        guard var present = tensor else { return }
        tensor = nil   // keeps `present` uniquely referenced, so in-place updates need no copy
        body(prefix + name, .parameter, &present)
        tensor = present
    }

    /// Presents a tensor that is saved and loaded but not trained.
    public mutating func buffer(_ name: String, _ tensor: inout Tensor) {
        body(prefix + name, .buffer, &tensor)
    }

    /// Presents a child module; its tensors are named `"<name>.<their name>"`.
    public mutating func child<Child: Module>(_ name: String, _ module: inout Child) {
        let outer = prefix
        prefix = outer + name + "."
        module.visit(&self)
        prefix = outer
    }

    /// Calls `body` for every tensor of `module`, outermost first, in visiting order.
    package static func walk<M: Module>(_ module: inout M, _ body: (String, Role, inout Tensor) -> Void) {
        withoutActuallyEscaping(body) { body in
            var visitor = ModuleVisitor(body: body)
            module.visit(&visitor)
        }
    }
}

extension Module {
    /// The trainable tensors by dotted name.
    public var parameters: [String: Tensor] { tensors(where: { $0 == .parameter }) }

    /// Parameters and buffers by dotted name: everything a checkpoint holds (PyTorch's
    /// `state_dict`).
    public var state: [String: Tensor] { tensors(where: { _ in true }) }

    /// The parameters' names in visiting order (a stable order for optimisers and printing).
    public var parameterNames: [String] {
        var copy = self, names: [String] = []
        ModuleVisitor.walk(&copy) { name, role, _ in if role == .parameter { names.append(name) } }
        return names
    }

    private func tensors(where include: (ModuleVisitor.Role) -> Bool) -> [String: Tensor] {
        var copy = self, found: [String: Tensor] = [:]
        ModuleVisitor.walk(&copy) { name, role, tensor in if include(role) { found[name] = tensor } }
        return found
    }

    /// Replaces every parameter and buffer with the tensor of the same dotted name.
    ///
    /// Nothing changes unless every name is found with the right shape.
    /// - Parameters:
    ///   - tensors: the new values by dotted name, e.g. `"features.0.weight"`.
    ///   - ignoringUnused: accept names this module does not have (a checkpoint with a
    ///     classifier head the module lacks, say); otherwise they are an error too.
    /// - Throws: ``ModuleLoadError`` listing every missing name, shape mismatch and unused name.
    public mutating func load(_ tensors: [String: Tensor], ignoringUnused: Bool = false) throws {
        var problems = ModuleLoadError()
        var used = Set<String>()
        var copy = self
        ModuleVisitor.walk(&copy) { name, _, current in
            guard let replacement = tensors[name] else { return problems.missing.append(name) }
            used.insert(name)
            if replacement.shape != current.shape {
                problems.mismatched.append(.init(name: name, expected: current.shape, found: replacement.shape))
            }
        }
        if !ignoringUnused { problems.unused = tensors.keys.filter { !used.contains($0) }.sorted() }
        guard problems.isEmpty else { throw problems }
        ModuleVisitor.walk(&self) { name, _, tensor in tensor = tensors[name]?.detached ?? tensor }
    }

    /// Makes every parameter a tensor that `tape` watches, so that a loss computed with this
    /// module can be differentiated with respect to them (see
    /// ``GradientTape/gradients(of:for:)``).
    public mutating func watchParameters(on tape: GradientTape) {
        ModuleVisitor.walk(&self) { _, role, tensor in if role == .parameter { tensor = tape.watch(tensor) } }
    }

    /// Calls `update` on every parameter with its dotted name; `update` may replace it.
    public mutating func updateParameters(_ update: (_ name: String, _ parameter: inout Tensor) -> Void) {
        ModuleVisitor.walk(&self) { name, role, tensor in if role == .parameter { update(name, &tensor) } }
    }

    /// Calls `update` on every buffer with its dotted name; `update` may replace it.
    public mutating func updateBuffers(_ update: (_ name: String, _ buffer: inout Tensor) -> Void) {
        ModuleVisitor.walk(&self) { name, role, tensor in if role == .buffer { update(name, &tensor) } }
    }
}

extension GradientTape {
    /// The gradient of `output` with respect to every parameter of `module`, by dotted name.
    ///
    /// ```swift
    /// let tape = GradientTape()
    /// model.watchParameters(on: tape)
    /// let loss = try Loss.meanSquaredError(model(training: x), y)
    /// let gradients = try tape.gradients(of: loss, for: model)   // ["0.weight": ..., ...]
    /// ```
    /// - Throws: ``TensorError`` when a parameter is not watched by this tape.
    public func gradients(of output: Tensor, for module: some Module) throws -> [String: Tensor] {
        let named = module.parameters
        let names = Array(named.keys)
        let grads = try gradients(of: output, withRespectTo: names.map { named[$0] ?? Tensor(0) })
        return Dictionary(uniqueKeysWithValues: zip(names, grads))
    }
}

/// Why ``Module/load(_:ignoringUnused:)`` refused a set of named tensors: every problem at once.
public struct ModuleLoadError: StatusReportingError, Equatable, Sendable, CustomStringConvertible {
    /// Weights that do not fit the module are bad data.
    public var exitStatus: ExitStatus { .data }

    /// A tensor whose shape differs from the module's.
    public struct Mismatch: Equatable, Sendable {
        public let name: String
        public let expected: [Int]
        public let found: [Int]

        public init(name: String, expected: [Int], found: [Int]) {
            self.name = name
            self.expected = expected
            self.found = found
        }
    }

    /// Names the module has but the dictionary lacks.
    public var missing: [String] = []
    /// Names present in both with different shapes.
    public var mismatched: [Mismatch] = []
    /// Names the dictionary has but the module lacks.
    public var unused: [String] = []

    var isEmpty: Bool { missing.isEmpty && mismatched.isEmpty && unused.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        for m in mismatched { parts.append("\(m.name) has shape \(m.found), expected \(m.expected)") }
        if !unused.isEmpty { parts.append("unused \(unused.joined(separator: ", "))") }
        return "load: " + parts.joined(separator: "; ")
    }
}
