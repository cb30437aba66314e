import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG (or XHTML) document parsed by Foundation's XML parser, for asserting on structure: a
/// document that is not well-formed XML (e.g. unescaped text) fails to parse.
final class SVGTree: NSObject, XMLParserDelegate {
    /// One element: its name, attributes, text and children.
    final class Element {
        let name: String
        let attributes: [String: String]
        var text = ""
        var children: [Element] = []

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }

        /// This element and every element below it, in document order.
        var all: [Element] { [self] + children.flatMap(\.all) }

        /// The elements named `name` below and including this one, optionally with a class.
        func elements(_ name: String, class wanted: String? = nil) -> [Element] {
            all.filter { element in
                element.name == name && (wanted.map { (element.attributes["class"] ?? "").split(separator: " ").contains(Substring($0)) } ?? true)
            }
        }

        /// The numbers of a `points` attribute: "x1,y1 x2,y2 ..." as pairs.
        func points() -> [[Double]] {
            (attributes["points"] ?? "").split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
        }

        func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }
    }

    private var stack: [Element] = []
    private(set) var root: Element?

    /// Parses `text`; throws when it is not well-formed XML.
    static func parse(_ text: String) throws -> Element {
        let tree = SVGTree()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = tree
        guard parser.parse(), let root = tree.root else {
            throw CocoaError(.coderReadCorrupt, userInfo: [NSLocalizedDescriptionKey: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "empty")"])
        }
        return root
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let element = Element(name: name, attributes: attributes)
        if let parent = stack.last { parent.children.append(element) } else { root = element }
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }
}
