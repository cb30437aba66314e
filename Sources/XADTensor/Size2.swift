/// A pair of sizes along height and width: kernel sizes, strides, paddings, output sizes.
/// An integer literal means the same value along both axes.
///
/// ```swift
/// let y = try x.conv2d(weight, stride: 2, padding: Size2(height: 1, width: 0))
/// ```
public struct Size2: Hashable, Sendable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public init(_ both: Int) { self.init(height: both, width: both) }

    public init(integerLiteral value: Int) { self.init(value) }

    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}
