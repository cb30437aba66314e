import Foundation
import Testing
import XADDetect
import XADExplain
import XADTensor
import XADTestSupport

/// TCAV on ``StripeEnergyDetector`` (score rises with vertical stripes by construction) with
/// concept folders of striped and smooth images (``ConceptImages``).
@Suite("Concept explanations (TCAV)")
struct ConceptTests {
    static let folder: Result<URL, Error> = Result { try ConceptImages.folder() }

    @Test func stripesRaiseTheScoreSignificantlyAndALookalikeSetDoesNot() throws {
        let tcav = TCAV().using(ExplanationContext(conceptFolder: try Self.folder.get()))
        let explanation = try tcav.explain(StripeEnergyDetector(), image: ConceptImages.test, target: .imageScore)
        let values = explanation.values
        #expect((values["concept.stripes.sensitivity"] ?? 0) > 0)
        #expect((values["concept.stripes.p_value"] ?? 1) < 0.05)
        #expect(values["concept.stripes.significant"] == 1)
        #expect((values["concept.lookalike.p_value"] ?? 0) > 0.05)
        #expect(values["concept.lookalike.significant"] == 0)
        #expect(explanation.options["concept"] == "stripes")
        #expect(explanation.options["layer"] == "edges")
        #expect(explanation.map.shape == [32, 32])
        // The map peaks where the stripes are (rows 8..<20, columns 10..<22).
        let map = explanation.map.scalars
        let peak = try #require(map.indices.max { map[$0] < map[$1] })
        #expect((8..<20).contains(peak / 32) && (10..<22).contains(peak % 32), "peak at \(peak / 32), \(peak % 32)")
    }

    // Moving channel 0 of the tap by ε at every position moves the score (max of the bilinearly
    // upsampled channel 0) by exactly ε, so each vector's sensitivity (the directional derivative
    // summed over positions) is its channel-0 component. tolerance: 1e-5 absolute (float32 sums).
    @Test func sensitivityIsTheDirectionalDerivative() throws {
        let detector = StripeEnergyDetector()
        let tcav = TCAV(conceptFolder: try Self.folder.get())
        let sensitivities = try tcav.sensitivities(detector, image: ConceptImages.test, target: .imageScore)
        let vectors = try tcav.conceptVectors(for: detector, layer: "edges")
        #expect(sensitivities.map(\.concept) == ["lookalike", "stripes"])
        for result in sensitivities {
            let expected = (vectors.concepts[result.concept] ?? []).map { Double($0.direction[0]) }
            #expect(result.conceptSensitivities.count == 10)
            for (actual, reference) in zip(result.conceptSensitivities, expected) { #expect(abs(actual - reference) <= 1e-5) }
            for (actual, vector) in zip(result.randomSensitivities, vectors.random) {
                #expect(abs(actual - Double(vector.direction[0])) <= 1e-5)
            }
        }
        #expect(vectors.concepts["stripes"]?.allSatisfy { $0.accuracy == 1 } == true)
    }

    @Test func tcavScoreOverStripedImagesIsOne() throws {
        let tcav = TCAV(conceptFolder: try Self.folder.get())
        let images = (0..<4).map { ConceptImages.striped(seed: 500 + UInt64($0), rows: 4..<16, columns: 4..<16) }
        let scores = try tcav.scores(StripeEnergyDetector(), images: images, target: .imageScore)
        let stripes = try #require(scores.first { $0.concept == "stripes" })
        #expect(stripes.score == 1)
        #expect(stripes.pValue < 0.05)
    }

    @Test func seededAndReproducible() throws {
        let folder = try Self.folder.get()
        let first = try TCAV(conceptFolder: folder).explain(StripeEnergyDetector(), image: ConceptImages.test, target: .imageScore)
        let second = try TCAV(conceptFolder: folder).explain(StripeEnergyDetector(), image: ConceptImages.test, target: .imageScore)
        #expect(first.values == second.values)
        #expect(first.map.scalars == second.map.scalars)
        let seed0 = try ConceptSets(folder: folder, seed: 0), seed1 = try ConceptSets(folder: folder, seed: 1)
        #expect(seed0.randomSets.map(\.files) != seed1.randomSets.map(\.files))
        #expect(seed0.randomSets.count == 10)
        #expect(seed0.randomSets.allSatisfy { $0.images.count == 5 })
        #expect(Set(seed0.randomSets.flatMap(\.files)).count == 50)
    }

    @Test func badFoldersGiveErrorsNamingThem() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/concepts")
        #expect(throws: ConceptError.missingFolder(missing)) { try ConceptSets(folder: missing) }

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-concepts-bad-\(UUID().uuidString)")
        try ConceptImages.write((0..<3).map { ConceptImages.striped(seed: $0) }, to: root, name: "stripes")
        #expect(throws: ConceptError.noRandomSet(root)) { try ConceptSets(folder: root) }
        try ConceptImages.write((0..<49).map { ConceptImages.smooth(seed: $0) }, to: root, name: "random")
        let tooFew = ConceptError.tooFewImages(root.appendingPathComponent("stripes"), found: 3, minimum: 5)
        #expect(throws: tooFew) { try ConceptSets(folder: root) }
        #expect(tooFew.description.contains("stripes: 3 images"))

        // A single random folder must split into 10 sets of at least 5.
        try ConceptImages.write((0..<5).map { ConceptImages.striped(seed: $0) }, to: root, name: "stripes")
        #expect(throws: ConceptError.tooFewImages(root.appendingPathComponent("random"), found: 49, minimum: 50)) {
            try ConceptSets(folder: root)
        }
        // Several random folders are used as they are.
        try ConceptImages.write((0..<5).map { ConceptImages.smooth(seed: 60 + $0) }, to: root, name: "random_b")
        #expect(try ConceptSets(folder: root).randomSets.map(\.name) == ["random", "random_b"])

        let notes = root.appendingPathComponent("stripes/notes.txt")
        try Data("not an image".utf8).write(to: notes)
        let unreadable = #expect(throws: ConceptError.self) { try ConceptSets(folder: root) }
        #expect(unreadable?.description.hasPrefix(notes.path) == true)
    }

    @Test func needsAConceptFolderAndGradients() throws {
        let missing = #expect(throws: ExplainerError.self) {
            try TCAV().explain(StripeEnergyDetector(), image: ConceptImages.test, target: .imageScore)
        }
        #expect(missing?.notApplicableReason?.contains("--concepts DIR") == true)
        let scoreOnly = RegionMeanDetector(rows: 0..<4, columns: 0..<4, modelSize: 32)
        #expect(throws: ExplainerError.notDifferentiable(detector: "region-mean", method: "tcav")) {
            try TCAV(conceptFolder: try Self.folder.get()).explain(scoreOnly, image: ConceptImages.test, target: .imageScore)
        }
    }

    @Test func registeredAndConfiguredByTheContext() throws {
        #expect(Explainers.names.contains("tcav"))
        let folder = try Self.folder.get()
        let configured = Explainers.configured([try Explainers.named("tcav")], with: ExplanationContext(conceptFolder: folder))
        #expect((configured.first as? TCAV)?.conceptFolder == folder)
    }
}
