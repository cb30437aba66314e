import XADTensor

/// A colour for drawing, each component in 0...1.
///
/// ```swift
/// let amber = RGBColor(red: 1, green: 0.75, blue: 0)
/// let marked = try drawBoxes(boxes, color: .red, on: image)
/// ```
public struct RGBColor: Sendable, Hashable, Codable {
    public var red: Float
    public var green: Float
    public var blue: Float

    public init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 1, green: 1, blue: 1)
    public static let red = RGBColor(red: 1, green: 0, blue: 0)
    public static let green = RGBColor(red: 0, green: 1, blue: 0)
    public static let blue = RGBColor(red: 0, green: 0, blue: 1)
    public static let yellow = RGBColor(red: 1, green: 1, blue: 0)
    public static let cyan = RGBColor(red: 0, green: 1, blue: 1)
    public static let magenta = RGBColor(red: 1, green: 0, blue: 1)

    /// The components in channel order.
    var components: [Float] { [red, green, blue] }

    /// Checks that every component lies in 0...1 (NaN fails).
    func validated(_ operation: String) throws -> RGBColor {
        guard components.allSatisfy({ (0...1).contains($0) }) else {
            throw TensorError(.invalidArgument, operation, "colour \(components) has a component outside 0...1")
        }
        return self
    }
}
