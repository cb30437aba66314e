import Foundation

/// Text and numbers as they go into SVG and HTML: escaped, and formatted short.
public enum Markup {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe inside elements and
    /// quoted attributes: `escape("a<b & \"c\"")` is `a&lt;b &amp; &quot;c&quot;`.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A coordinate with at most two decimals and no trailing zeros: `12.5`, `3`, `-0.25`.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// `value` with `decimals` decimals, or "-" when it is nil: for metric tables and labels.
    public static func number(_ value: Double?, decimals: Int = 4) -> String {
        guard let value, value.isFinite else { return value.map { "\($0)" } ?? "-" }
        return String(format: "%.\(decimals)f", value)
    }
}
