extension Tensor {
    /// Greedy k-centre selection (farthest-point sampling) of the rows of `[N, D]`: with row
    /// `first` as the first centre, `count` times take the row farthest (Euclidean) from every
    /// centre taken so far. Returns the taken rows in order, `first` not among them (PatchCore's
    /// coreset, as anomalib selects it); fewer than `count` when every remaining row lies on a
    /// centre (distance 0).
    ///
    /// Exact (each step takes the truly farthest row), though most distances are never computed:
    /// rows are grouped by their nearest centre and the triangle inequality rules whole groups
    /// out. Steps spread over ``Threads/count`` threads. Records nothing.
    ///
    /// ```swift
    /// let points = try Tensor(shape: [4, 1], scalars: [0, 1, 10, 4])
    /// try points.kCenterGreedyRows(2, firstCentre: 0)   // [2, 3]: 10 is farthest from 0, then 4
    /// ```
    /// - Throws: ``TensorError`` unless the tensor is `[N, D]` and `first` is one of its rows.
    public func kCenterGreedyRows(_ count: Int, firstCentre first: Int) throws -> [Int] {
        guard rank == 2, (0..<shape[0]).contains(first) else {
            throw TensorError(.invalidArgument, "kCenterGreedyRows", "needs rows [N, D] and a first centre among them, got shape \(shape) and \(first)")
        }
        return KCenterGreedy(points: detached).select(count, first: first)
    }
}

/// Greedy k-centre selection, the plain algorithm's result with most of its work skipped.
///
/// Each step still takes the exact farthest point, but most distance computations are skipped by
/// the triangle inequality: points are grouped by their nearest centre, and neither a group whose
/// centre is at least twice the group's radius away from the new centre, nor a point within half
/// that distance of its centre, can move closer to the new centre. Each step's group rescans are
/// spread over ``Threads/count`` threads; nothing is allocated inside the loop but the lists of
/// points that move.
struct KCenterGreedy {
    /// Rows `[N, D]`.
    let points: Tensor

    /// The indices of up to `count` points after the centre `start`, in selection order.
    func select(_ count: Int, first start: Int) -> [Int] {
        let (total, dims) = (points.shape[0], points.shape[1])
        let count = Swift.min(count, total)
        guard count > 0 else { return [] }
        let base = UncheckedSendable(points.storage.base)

        // Group 0: every point, owned by the first centre.
        var centres = [start]
        var minimum = (0..<total).map { euclideanDistance(base.value + $0 * dims, base.value + start * dims, dims) }
        var members: [[Int32]] = [Array(0..<Int32(total))]
        var radius: [Float] = [minimum.max() ?? 0]
        var selected: [Int] = []
        selected.reserveCapacity(count)
        let lanes = Swift.max(1, Threads.count)
        var moved = [[Int32]](repeating: [], count: lanes)

        while selected.count < count {
            // The farthest point lies in the group of largest radius.
            guard let group = radius.indices.max(by: { radius[$0] < radius[$1] }), radius[group] > 0 else { break }
            guard let farthest = members[group].max(by: { minimum[Int($0)] < minimum[Int($1)] }).map(Int.init) else { break }
            selected.append(farthest)
            let groupCount = centres.count
            centres.append(farthest)
            let activeLanes = Swift.min(lanes, groupCount)
            members.withUnsafeMutableBufferPointer { groups in
                minimum.withUnsafeMutableBufferPointer { minimum in
                    radius.withUnsafeMutableBufferPointer { radius in
                        moved.withUnsafeMutableBufferPointer { moved in
                            centres.withUnsafeBufferPointer { centres in
                                let shared = UncheckedSendable((groups, minimum, radius, moved, centres))
                                Threads.parallelFor(activeLanes) { lane in
                                    let (groups, minimum, radius, moved, centres) = shared.value
                                    let target = base.value + farthest * dims
                                    for g in stride(from: lane, to: groupCount, by: activeLanes) where !groups[g].isEmpty {
                                        let half = euclideanDistance(base.value + centres[g] * dims, target, dims) / 2
                                        guard half < radius[g] else { continue }
                                        radius[g] = Self.rescan(&groups[g], half: half, towards: target, moving: &moved[lane],
                                                                minimum: minimum.baseAddress!, points: base.value, dims: dims)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            minimum[farthest] = 0
            var newMembers: [Int32] = []
            for lane in 0..<lanes {
                newMembers += moved[lane]
                moved[lane].removeAll(keepingCapacity: true)
            }
            members.append(newMembers)
            radius.append(newMembers.reduce(Float(0)) { Swift.max($0, minimum[Int($1)]) })
        }
        return selected
    }

    /// Moves the points of one group that are closer to `target` than to their own centre into
    /// `moving` (updating their distances), compacts the rest in place and returns the group's
    /// new radius. `half` is half the distance between the group's centre and `target`: by the
    /// triangle inequality a point within `half` of its centre cannot move.
    private static func rescan(_ group: inout [Int32], half: Float, towards target: UnsafePointer<Float>,
                               moving: inout [Int32], minimum: UnsafeMutablePointer<Float>,
                               points: UnsafeMutablePointer<Float>, dims: Int) -> Float {
        var kept = 0
        var keptRadius: Float = 0
        group.withUnsafeMutableBufferPointer { group in
            for read in 0..<group.count {
                let point = group[read], p = Int(point)
                let d = minimum[p] <= half ? Float.infinity : euclideanDistance(points + p * dims, target, dims)
                if d < minimum[p] {
                    minimum[p] = d
                    moving.append(point)
                } else {
                    group[kept] = point
                    kept += 1
                    keptRadius = Swift.max(keptRadius, minimum[p])
                }
            }
        }
        group.removeLast(group.count - kept)
        return keptRadius
    }
}

/// `|x - y|` over `count` floats, eight lanes at a time so the loop vectorises (a scalar float
/// sum cannot be reordered by the compiler).
@inline(__always)
func euclideanDistance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    var d = 0
    while d + 8 <= count {
        let difference = UnsafeRawPointer(x + d).loadUnaligned(as: SIMD8<Float>.self)
            - UnsafeRawPointer(y + d).loadUnaligned(as: SIMD8<Float>.self)
        lanes = difference * difference + lanes
        d += 8
    }
    var total = lanes.sum()
    while d < count {
        let difference = x[d] - y[d]
        total += difference * difference
        d += 1
    }
    return total.squareRoot()
}
