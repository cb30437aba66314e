/// Connected regions of a defect mask, **8-connected** (pixels touching at an edge or a corner
/// belong to the same region), as OpenCV's `connectedComponents` default that anomalib uses.
///
/// Two passes with union-find: the first gives each pixel the smallest provisional label among its
/// already-visited neighbours (west, north-west, north, north-east) and records equivalences; the
/// second replaces each label with its root, renumbered 1, 2, ... in raster order. Background is 0.
struct ConnectedComponents {
    /// One label per pixel, row-major: 0 for background, 1...count for the regions.
    let labels: [UInt32]
    /// The number of regions.
    let count: Int
    /// `sizes[k - 1]`: the number of pixels of region `k`.
    let sizes: [Int]

    init(_ mask: DefectMask) {
        let height = mask.height, width = mask.width
        var labels = [UInt32](repeating: 0, count: height * width)
        var parent: [UInt32] = [0]  // parent[0] is the background
        func root(_ label: UInt32) -> UInt32 {
            var label = label
            while parent[Int(label)] != label {
                parent[Int(label)] = parent[Int(parent[Int(label)])]  // path halving
                label = parent[Int(label)]
            }
            return label
        }
        func union(_ a: UInt32, _ b: UInt32) -> UInt32 {
            let rootA = root(a), rootB = root(b)
            let low = min(rootA, rootB)
            parent[Int(max(rootA, rootB))] = low
            return low
        }
        for y in 0..<height {
            for x in 0..<width where mask.isDefect[y * width + x] {
                var label: UInt32 = 0
                func join(_ other: UInt32) {
                    if other != 0 { label = label == 0 ? root(other) : union(label, other) }
                }
                if x > 0 { join(labels[y * width + x - 1]) }
                if y > 0 {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) { join(labels[(y - 1) * width + nx]) }
                }
                if label == 0 {
                    label = UInt32(parent.count)
                    parent.append(label)
                }
                labels[y * width + x] = label
            }
        }
        // Renumber roots 1, 2, ... in the order they first appear.
        var final = [UInt32](repeating: 0, count: parent.count)
        var sizes: [Int] = []
        for index in labels.indices where labels[index] != 0 {
            let top = Int(root(labels[index]))
            if final[top] == 0 {
                sizes.append(0)
                final[top] = UInt32(sizes.count)
            }
            labels[index] = final[top]
            sizes[Int(final[top]) - 1] += 1
        }
        self.labels = labels
        self.count = sizes.count
        self.sizes = sizes
    }
}
