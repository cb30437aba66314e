import XADTensor

/// Greedy k-centre selection (the coreset of PatchCore): starting from one seeded random point,
/// repeatedly take the point farthest from everything taken so far.
///
/// The result equals the plain algorithm's (each step still takes the exact farthest point), but
/// most distance computations are skipped by the triangle inequality: points are grouped by their
/// nearest centre, and neither a group whose centre is at least twice the group's radius away
/// from the new centre, nor a point within half that distance of its centre, can move closer to
/// the new centre. Memory: the points plus a few arrays of
/// one number per point; time is dominated by the groups that must be rescanned.
struct KCenterGreedy {
    /// Rows `[N, D]` (already randomly projected).
    let points: Tensor

    /// The indices of `count` points, in selection order.
    func select(_ count: Int, seed: UInt64) -> [Int] {
        let (total, dims) = (points.shape[0], points.shape[1])
        let count = Swift.min(count, total)
        guard count > 0 else { return [] }
        var generator = SeededGenerator(seed: seed)
        let start = Int(generator.next() % UInt64(total))
        let base = points.storage.base

        func distance(_ a: Int, _ b: Int) -> Float {
            euclideanDistance(base + a * dims, base + b * dims, dims)
        }

        // Group 0: every point, owned by the random start.
        var centres = [start]
        var minimum = [Float](repeating: 0, count: total)
        for i in 0..<total { minimum[i] = distance(i, start) }
        var members: [[Int32]] = [Array(0..<Int32(total))]
        var radius: [Float] = [minimum.max() ?? 0]
        var selected: [Int] = []
        selected.reserveCapacity(count)

        while selected.count < count {
            // The farthest point lies in the group of largest radius.
            guard let group = radius.indices.max(by: { radius[$0] < radius[$1] }), radius[group] > 0 else { break }
            guard let farthest = members[group].max(by: { minimum[Int($0)] < minimum[Int($1)] }).map(Int.init) else { break }
            selected.append(farthest)
            let newGroup = centres.count
            centres.append(farthest)
            var newMembers: [Int32] = []
            for g in 0..<newGroup where !members[g].isEmpty {
                // |x - new| >= |c_g - new| - |x - c_g|: a point within half the centres' distance of
                // its own centre cannot come closer to the new one, nor can a whole group whose
                // radius is that small.
                let half = distance(centres[g], farthest) / 2
                guard half < radius[g] else { continue }
                // Compact the group in place (no allocation), moving closer points out.
                var kept = 0
                var keptRadius: Float = 0
                members[g].withUnsafeMutableBufferPointer { group in
                    for read in 0..<group.count {
                        let point = group[read], p = Int(point)
                        let d = minimum[p] <= half ? Float.infinity : distance(p, farthest)
                        if d < minimum[p] {
                            minimum[p] = d
                            newMembers.append(point)
                        } else {
                            group[kept] = point
                            kept += 1
                            keptRadius = Swift.max(keptRadius, minimum[p])
                        }
                    }
                }
                members[g].removeLast(members[g].count - kept)
                radius[g] = keptRadius
            }
            minimum[farthest] = 0
            members.append(newMembers)
            radius.append(newMembers.reduce(Float(0)) { Swift.max($0, minimum[Int($1)]) })
        }
        return selected
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
