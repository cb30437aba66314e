import XADTensor

extension ExplanationTarget: CustomStringConvertible {
    /// A target from its text form: `image`, `topk:K` or `region:x1,y1,x2,y2` (pixels, `x2, y2`
    /// exclusive), as users write it after `--target`.
    ///
    /// ```swift
    /// try ExplanationTarget(parsing: "region:10,20,74,84")   // .region(x1: 10, y1: 20, x2: 74, y2: 84)
    /// ```
    /// - Throws: ``ExplainerError/invalidTarget(_:)`` for any other text or an empty rectangle.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let numbers = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map { Int($0) } : []
        switch (parts.first, numbers.count) {
        case ("image", _) where parts.count == 1:
            self = .imageScore
        case ("topk", 1):
            guard let k = numbers[0], k >= 1 else { throw Self.unreadable(text) }
            self = .topK(k)
        case ("region", 4):
            guard let x1 = numbers[0], let y1 = numbers[1], let x2 = numbers[2], let y2 = numbers[3],
                  x1 >= 0, y1 >= 0, x1 < x2, y1 < y2 else { throw Self.unreadable(text) }
            self = .region(x1: x1, y1: y1, x2: x2, y2: y2)
        default:
            throw Self.unreadable(text)
        }
    }

    /// The text form ``init(parsing:)`` reads.
    public var description: String {
        switch self {
        case .imageScore: "image"
        case .topK(let k): "topk:\(k)"
        case .region(let x1, let y1, let x2, let y2): "region:\(x1),\(y1),\(x2),\(y2)"
        }
    }

    /// Checks, before any work, that the target fits an image of `size`.
    /// - Throws: ``ExplainerError/invalidTarget(_:)`` for a region reaching outside the image or
    ///   `k` above its pixel count.
    public func check(imageSize size: Size2) throws {
        switch self {
        case .imageScore:
            return
        case .topK(let k):
            guard k <= size.height * size.width else {
                throw ExplainerError.invalidTarget("top-k with k = \(k) is more than the \(size.width) x \(size.height) image's \(size.height * size.width) pixels")
            }
        case .region(let x1, let y1, let x2, let y2):
            guard x1 >= 0, y1 >= 0, x2 <= size.width, y2 <= size.height, x1 < x2, y1 < y2 else {
                throw ExplainerError.invalidTarget("region x \(x1)..<\(x2), y \(y1)..<\(y2) is empty or outside the \(size.width) x \(size.height) image")
            }
        }
    }

    private static func unreadable(_ text: String) -> ExplainerError {
        .invalidTarget("'\(text)' is not a target; write image, topk:K (K >= 1) or region:x1,y1,x2,y2 (x1 < x2, y1 < y2, pixels)")
    }
}
