import Foundation
import Testing
@testable import XADBench

/// The method selection guide against its built-in evidence (BENCHMARKS.md's measured tables) and
/// small hand-made evidence. Expected picks are read off BENCHMARKS.md's tables, not the guide.
@Suite("Method guide")
struct GuideTests {
    static let mtd = DatasetTraits(modality: .image, content: .texture, defectSize: .small, normalImages: 238)
    /// The guide with the built-in rules and evidence; methods fixed so the test does not depend on plug-ins.
    static func guide(evidence: GuideEvidence? = nil) throws -> MethodGuide {
        try MethodGuide(rules: .builtIn, evidence: evidence ?? .builtIn,
                        methods: .init(detectors: [.image: ["padim", "patchcore", "spade", "fastflow", "vae", "autoencoder"],
                                                   .video: ["attributes", "perframe", "frameprediction"]],
                                       explainers: ["saliency", "grad-cam", "rise", "healing", "counterfactual", "exemplars", "tcav", "anomaly-map"]))
    }

    /// BENCHMARKS.md's best per need on MTD v1: image AUROC 0.889 (PatchCore, Detectors section),
    /// AUPRO 0.668 (PaDiM), and among explanation maps by AUPRO: the VAE's residual 0.686
    /// (generative maps table), healing 0.544 (the best counterfactual), exemplars on PaDiM 0.694,
    /// TCAV 0.287 (the only concept method).
    static let measuredBest: [(need: String, pair: String, value: Double)] = [
        ("alarm", "patchcore", 0.889), ("localisation", "padim", 0.668), ("heat-map", "vae + anomaly-map", 0.686),
        ("counterfactual", "patchcore + healing", 0.544), ("example", "padim + exemplars", 0.694), ("concept", "padim + tcav", 0.287),
    ]

    @Test("the top pick on MTD v1 for each need is the measured best in the evidence", arguments: measuredBest.map { $0.need })
    func topPickIsMeasuredBest(need: String) throws {
        let expected = try #require(Self.measuredBest.first { $0.need == need })
        let answer = try Self.guide().answer(GuideQuestion(data: Self.mtd, need: need))
        #expect(answer.referenceDataset == "mtd-v1")
        #expect(answer.restsOnSimilarData)
        let top = try #require(answer.recommendations.first)
        #expect(top.pair == expected.pair)
        #expect(abs(top.value - expected.value) < 1e-9)  // a transcribed figure, exactly
        // Independently of the guide's ranking: no other measured pair of the need's kind on MTD beats it.
        let measure = try #require(answer.measure)
        let rules = try GuideRules.builtIn
        let reason = try #require(rules.need(need)).reason
        let rivals = try GuideEvidence.builtIn.records.filter {
            $0.dataset == "mtd-v1" && $0.measure == measure.name
                && (reason == nil ? $0.explainer == nil : $0.explainer.map { rules.reasons.explainers[$0] } == reason)
        }
        #expect(rivals.count >= 1)
        #expect(rivals.allSatisfy { $0.value <= top.value })
        #expect(top.evidence.first?.dataset == "mtd-v1" && top.evidence.first?.measure == measure.name)
        #expect(top.reasons.first?.contains("on mtd-v1 (") == true)
    }

    /// The records of the published first grid, `docs/benchmark/results.db` (`make bench-grid`),
    /// read once for the test's cases (they would contend for the file's lock) and through a copy:
    /// opening a results database brings its schema up to date, which rewrites its header.
    static let publishedEvidence = Result<GuideEvidence, Error> {
        let published = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/benchmark/results.db").standardizedFileURL
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("xad-published-\(UUID().uuidString).db")
        try FileManager.default.copyItem(at: published, to: copy)
        return try GuideEvidence.read(copy.path)
    }

    /// `xad guide --from-results docs/benchmark/results.db`: for each need the grid measured on
    /// MTD v1, the top pick is the pair with the best figure there. The expected pair is found
    /// here from the records alone: of the need's kind (detection rows, or the need's explainers),
    /// those that do not fail the randomisation check (at most 0.5) when any pass.
    @Test("the top pick on MTD v1 from the published grid is its measured best", arguments: ["alarm", "localisation", "heat-map", "counterfactual", "example"])
    func publishedGridTopPick(need: String) throws {
        let evidence = try Self.publishedEvidence.get()
        let answer = try Self.guide(evidence: evidence).answer(GuideQuestion(data: Self.mtd, need: need))
        #expect(answer.referenceDataset == "mtd-v1" && answer.source.contains("XADKit benchmark, first run"))
        let top = try #require(answer.recommendations.first)
        let measure = try #require(answer.measure)
        let rules = try GuideRules.builtIn
        let reason = try #require(rules.need(need)).reason
        let mtd = evidence.records.filter { $0.dataset == "mtd-v1" }
        let rivals = mtd.filter {
            $0.measure == measure.name && (reason == nil ? $0.explainer == nil : $0.explainer.map { rules.reasons.explainers[$0] } == reason)
        }
        func failsRandomisation(_ row: BenchmarkRecord) -> Bool {
            mtd.contains { $0.detector == row.detector && $0.explainer != nil && $0.explainer == row.explainer && $0.measure == "randomisation" && $0.value > 0.5 }
        }
        let passing = rivals.filter { !failsRandomisation($0) }
        let pool = passing.isEmpty ? rivals : passing
        let best = try #require(pool.max { measure.prefers($1.value, over: $0.value) })
        #expect(top.value == best.value, "guide: \(top.pair) \(top.value); best measured: \(best.detector) + \(best.explainer ?? "-") \(best.value)")
        // (equal figures: the guide takes the first pair by name, any of them is the measured best)
        #expect(pool.contains { $0.value == best.value && $0.detector == top.detector && $0.explainer == top.explainer })
    }

    @Test("a need with no measurement of the user's kind of data says so")
    func noSimilarData() throws {
        let guide = try Self.guide()
        let video = try guide.answer(GuideQuestion(data: .init(modality: .video, content: .scene), need: "alarm"))
        #expect(video.referenceDataset == nil && !video.restsOnSimilarData && video.recommendations.isEmpty)
        #expect(video.unmeasured == ["attributes", "perframe", "frameprediction"])
        #expect(video.text().contains("no measurement answers this need for video data"))

        let attribute = try guide.answer(GuideQuestion(data: Self.mtd, need: "attribute"))
        #expect(attribute.recommendations.isEmpty && !attribute.restsOnSimilarData)

        // Measured, but on data unlike the user's (objects vs. textures, large vs. small defects, many images).
        let unlike = try guide.answer(GuideQuestion(data: .init(modality: .image, content: .mixed, defectSize: .large, normalImages: 5000),
                                                    need: "localisation"))
        #expect(unlike.referenceDataset != nil && !unlike.restsOnSimilarData)
        #expect(unlike.text().contains("rests on no measurement of data like yours"))
    }

    @Test("similarity weighs content 2, defect size 1 and the normal-image count's bucket 1")
    func similarity() throws {
        let guide = try Self.guide()
        #expect(guide.similarity(of: Self.mtd, to: Self.mtd) == 4)
        #expect(guide.similarity(of: Self.mtd, to: .init(modality: .image, content: .object, defectSize: .small, normalImages: 60)) == 2)
        #expect(guide.similarity(of: Self.mtd, to: .init(modality: .image, content: .object, normalImages: 49)) == 0)
        #expect(guide.similarity(of: Self.mtd, to: .init(modality: .video, content: .texture)) == nil)
    }

    @Test("a pair over the latency budget is set apart; an unmeasured cost is said to be unchecked")
    func budget() throws {
        // PatchCore scores at 1000 / 16.2 = 61.7 ms per image, PaDiM at 17.3 ms (Detectors section).
        let answer = try Self.guide().answer(GuideQuestion(data: Self.mtd, need: "alarm", budget: .init(latencyMilliseconds: 30)))
        #expect(answer.recommendations.first?.pair == "padim")
        #expect(answer.overBudget.map(\.pair).contains("patchcore"))
        #expect(answer.overBudget.first { $0.pair == "patchcore" }?.reasons.last?.contains("61.7 ms per image exceeds the budget of 30") == true)
        let spade = try #require(answer.recommendations.first { $0.pair == "spade" })
        #expect(spade.reasons.contains("ms per image: not measured, the budget is not checked"))
    }

    @Test("an explainer failing the randomisation check ranks after those that pass")
    func sanity() throws {
        // Rank by a user's evidence where RISE has the best AUPRO but a randomisation of 0.99.
        let traits = DatasetTraits(modality: .image, content: .object)
        func row(_ explainer: String, _ measure: String, _ value: Double) -> BenchmarkRecord {
            BenchmarkRecord(dataset: "boards", traits: traits, detector: "padim", explainer: explainer, measure: measure, value: value,
                            interval: measure == "aupro" ? (value - 0.05)...(value + 0.05) : nil, images: 40)
        }
        let evidence = GuideEvidence(source: "test", records: [
            row("rise", "aupro", 0.8), row("rise", "randomisation", 0.99), row("saliency", "aupro", 0.5),
            row("saliency", "randomisation", 0.1), row("grad-cam", "aupro", 0.6),
        ])
        let answer = try Self.guide(evidence: evidence).answer(GuideQuestion(data: traits, need: "heat-map"))
        #expect(answer.recommendations.map(\.pair) == ["padim + grad-cam", "padim + saliency", "padim + rise"])
        #expect(answer.recommendations.map(\.passesSanity) == [nil, true, false])
        #expect(answer.recommendations[0].reasons[0] == "aupro 0.6 on boards (40 images, 95% interval 0.55-0.65)")
        #expect(answer.recommendations[2].reasons[1] == "randomisation 0.99 > 0.5: fails the sanity check")
    }

    @Test("a rules file from a newer version is refused; an unknown need is a usage error")
    func versions() throws {
        #expect(try GuideRules.builtIn.version == GuideRules.supportedVersion)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let newer = folder.appendingPathComponent("rules.json")
        try Data(#"{"version": 2, "needs": "renamed"}"#.utf8).write(to: newer)
        #expect {
            try GuideRules(contentsOf: newer)
        } throws: { error in
            (error as? GuideError)?.description.contains("has version 2, newer than this xad reads (1)") == true
        }
        #expect(throws: GuideError.unknownNeed("speed", known: ["alarm", "localisation", "heat-map", "counterfactual", "example", "concept", "attribute"])) {
            try Self.guide().answer(GuideQuestion(data: Self.mtd, need: "speed"))
        }
    }

    @Test("the page has a section per need, escapes text and marks a missing measurement")
    func page() throws {
        let guide = try Self.guide()
        let answers = try guide.rules.needs.map { try guide.answer(GuideQuestion(data: Self.mtd, need: $0.id)) }
        let html = GuidePage(answers: answers).html
        for need in guide.rules.needs { #expect(html.contains("<section id=\"\(need.id)\">")) }
        #expect(html.contains("<td>patchcore + healing</td>"))
        #expect(html.contains("class=\"note\""))  // the attribute need has no measurement
        #expect(!html.contains("{\"imageSize\""))  // options JSON is escaped
    }
}
