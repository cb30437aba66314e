import CXADKernels

extension Tensor {
    /// Greedy k-centre selection (farthest-point sampling) of the rows of `[N, D]`: with row
    /// `first` as the first centre, `count` times take the row farthest (Euclidean) from every
    /// centre taken so far, the lowest row among equal distances. Returns the taken rows in
    /// order, `first` not among them (PatchCore's coreset, as anomalib selects it); fewer than
    /// `count` when every remaining row lies on a centre (distance 0).
    ///
    /// Exact (the plain algorithm's rows), though most distances are never computed: each step
    /// updates only the rows farthest from the centres (the candidates), and the others catch up
    /// in one pass for many new centres at once, skipping a row for a centre that the triangle
    /// inequality shows cannot be nearer than the row's own centre. That pass reads the rows
    /// once per block of new centres instead of once per centre, so the time grows with rows x
    /// centres but no longer waits on memory. Distances run in the `xad_kcenter_greedy` C
    /// kernel (AVX-512, AVX2 or portable by ``CPULevel/current``; their sums differ in the last
    /// bits, so the levels may part at an exact tie). Records nothing.
    ///
    /// ```swift
    /// let points = try Tensor(shape: [4, 1], scalars: [0, 1, 10, 4])
    /// try points.kCenterGreedyRows(2, firstCentre: 0)   // [2, 3]: 10 is farthest from 0, then 4
    /// ```
    /// - Throws: ``TensorError`` unless the tensor is `[N, D]` of finite values with at most
    ///   `Int32.max` rows and `first` is one of its rows, or when its working memory (about
    ///   `N x 17` bytes) cannot be allocated.
    public func kCenterGreedyRows(_ count: Int, firstCentre first: Int) throws -> [Int] {
        guard rank == 2, (0..<shape[0]).contains(first), shape[0] <= Int(Int32.max) else {
            throw TensorError(.invalidArgument, "kCenterGreedyRows", "needs rows [N, D] (N below 2^31) and a first centre among them, got shape \(shape) and \(first)")
        }
        let points = detached
        // A NaN distance ranks before nothing, so the selection could never settle on a row.
        guard points.storage.buffer.allSatisfy(\.isFinite) else {
            throw TensorError(.nonFinite, "kCenterGreedyRows", "the rows hold a NaN or infinite value")
        }
        let wanted = Swift.max(0, Swift.min(count, shape[0]))
        var selected = [Int64](repeating: 0, count: wanted)
        let taken = selected.withUnsafeMutableBufferPointer { out in
            xad_kcenter_greedy(points.storage.base, Int64(shape[0]), Int64(shape[1]), Int64(first), Int64(wanted),
                               Int64(Threads.count), out.baseAddress)
        }
        guard taken >= 0 else {
            throw TensorError(.invalidArgument, "kCenterGreedyRows", "cannot allocate the working memory for \(shape[0]) rows")
        }
        return selected.prefix(Int(taken)).map { Int($0) }
    }
}
