import Foundation
import Testing
import XADExplain
import XADImage
import XADTensor

@Suite("Explanation files and target text")
struct ExplanationOutputTests {
    @Test(arguments: ["image", "topk:100", "region:0,8,32,64"])
    func targetTextRoundTrips(_ text: String) throws {
        #expect(try ExplanationTarget(parsing: text).description == text)
    }

    @Test(arguments: ["", "images", "topk:0", "topk:", "topk:1,2", "region:1,2,3", "region:5,0,5,10", "region:a,b,c,d", "image:1"])
    func unreadableTargetTextIsRefused(_ text: String) {
        #expect(throws: ExplainerError.self) { try ExplanationTarget(parsing: text) }
    }

    @Test func targetsAreCheckedAgainstTheImageSize() throws {
        let size = Size2(height: 40, width: 60)
        try ExplanationTarget.region(x1: 0, y1: 0, x2: 60, y2: 40).check(imageSize: size)
        try ExplanationTarget.topK(2400).check(imageSize: size)
        #expect(throws: ExplainerError.self) { try ExplanationTarget.region(x1: 0, y1: 0, x2: 61, y2: 40).check(imageSize: size) }
        #expect(throws: ExplainerError.self) { try ExplanationTarget.topK(2401).check(imageSize: size) }
    }

    @Test func filesHoldTheMapTheOverlayTheExtrasAndTheSummary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-explanation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = Tensor(shape: [1, 3, 8, 12]) { out in for i in out.indices { out[i] = Float(i % 7) / 7 } }
        let map = Tensor(shape: [8, 12]) { out in for i in out.indices { out[i] = Float(i) } }
        // A signed difference image is min-max scaled for its PNG: -1 becomes 0, 1 becomes 255.
        let difference = Tensor(shape: [1, 1, 8, 12]) { out in for i in out.indices { out[i] = i < 48 ? -1 : 1 } }
        let explanation = Explanation(method: "occlusion", map: map, target: .topK(5), targetValue: 2.5,
                                      images: ["difference": difference], values: ["drop": 0.25], options: ["window": "32"])
        let files = ExplanationFiles(folder: folder)
        let summary = try files.write(explanation, of: image, named: "part", seconds: 1.5)
        #expect(summary.files == ["occlusion.json", "occlusion.npy", "occlusion_difference.png", "occlusion_overlay.png"])
        let written = try FileManager.default.contentsOfDirectory(atPath: files.imageFolder("part").path).sorted()
        #expect(written == summary.files, "nothing else, no temporary files")
        #expect(try NPYFile.read(contentsOf: files.imageFolder("part").appendingPathComponent("occlusion.npy")).scalars == map.scalars)
        let extra = try Image(contentsOf: files.imageFolder("part").appendingPathComponent("occlusion_difference.png"))
        #expect(extra.samples.first == 0 && extra.samples.last == 255)
        let decoded = try JSONDecoder.snakeCase.decode(ExplanationFiles.Summary.self,
                                                       from: Data(contentsOf: files.imageFolder("part").appendingPathComponent("occlusion.json")))
        #expect(decoded == summary)
        #expect(decoded.target == "topk:5" && decoded.targetValue == 2.5 && decoded.values == ["drop": 0.25] && decoded.seconds == 1.5)

        let panel = try Image(contentsOf: try files.writePanel([explanation, explanation], of: image, named: "part", columns: 2))
        // Input, two overlays, two difference images: rows of two 12-pixel tiles, 4 pixels apart and around.
        #expect(panel.width == 4 + 12 + 4 + 12 + 4)
    }
}

extension ExplanationOutputTests {
    @Test func smallExtraImagesAreEnlargedInThePanel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-explanation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = Tensor(shape: [1, 3, 30, 30]) { out in for i in out.indices { out[i] = 0.5 } }
        let map = Tensor(shape: [30, 30]) { out in for i in out.indices { out[i] = Float(i) } }
        let crop = Tensor(shape: [1, 3, 5, 5]) { out in for i in out.indices { out[i] = 0.25 } }
        let explanation = Explanation(method: "exemplars", map: map, target: .imageScore, targetValue: 1, images: ["exemplar-1": crop])
        let panel = try Image(contentsOf: try ExplanationFiles(folder: folder).writePanel([explanation], of: image, named: "p", columns: 3))
        // Input, overlay, and the 5-pixel crop doubled to 10 (a third of 30): 4 + 30 + 4 + 30 + 4 + 10 + 4.
        #expect(panel.width == 86)
    }
}

private extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
