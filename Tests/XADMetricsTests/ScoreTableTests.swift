import Testing
import XADMetrics

/// Parsing the score CSV of `xad metrics`: columns by name, labels by word, line numbers in errors.
@Suite("Score tables from CSV text")
struct ScoreTableTests {
    @Test func readsScoresAndLabelsInAnyColumnOrder() throws {
        let text = "file,Label,SCORE\n\"a.png\", 1 ,0.9\nb.png,normal,0.25\r\n\nc.png,Defect,-3e-1\nd.png,ok,2\n"
        let table = try ScoreTable(csv: text, source: "scores.csv")
        #expect(table.scores == [0.9, 0.25, -0.3, 2])
        #expect(table.labels == [true, false, true, false])
        #expect(table.rows.allSatisfy { $0.video == nil })
        #expect(!table.hasVideos)
        #expect(table.source == "scores.csv")
    }

    @Test(arguments: [("1", true), ("TRUE", true), ("yes", true), ("anomaly", true), ("Anomalous", true),
                      ("defect", true), ("bad", true), ("0", false), ("false", false), ("No", false),
                      ("normal", false), ("GOOD", false), ("ok", false)])
    func acceptedLabelWords(word: String, isAnomalous: Bool) {
        #expect(ScoreTable.label(word) == isAnomalous)
    }

    @Test func otherLabelWordsAreRefused() {
        for word in ["2", "-1", "maybe", "", "anomalies", "y"] { #expect(ScoreTable.label(word) == nil) }
    }

    /// Line numbers count every line of the text (blank ones too), the header being line 1.
    @Test func badRowsAreNamedByLine() throws {
        let cases: [(String, ScoreTableError)] = [
            ("score,label\n0.5,1\n\n0.7\n", .cellCount(source: "s.csv", line: 4, cells: 1, header: 2)),
            ("score,label\n0.5,1\nnan,0\n", .invalidScore(source: "s.csv", line: 3, text: "nan")),
            ("score,label\ninf,0\n", .invalidScore(source: "s.csv", line: 2, text: "inf")),
            ("score,label\n,0\n", .invalidScore(source: "s.csv", line: 2, text: "")),
            ("score,label\n0.1,1\n0.2,maybe\n", .invalidLabel(source: "s.csv", line: 3, text: "maybe")),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: ScoreTableError.self) { try ScoreTable(csv: text, source: "s.csv") }
            #expect(error == expected)
            #expect(error?.line == expected.line)
            #expect(error?.exitStatus == .data)
        }
        let label = ScoreTableError.invalidLabel(source: "s.csv", line: 3, text: "maybe")
        #expect(label.description == "s.csv: line 3: the label 'maybe' is not 0/1, true/false or normal/anomaly")
        #expect(ScoreTableError.cellCount(source: "s.csv", line: 4, cells: 1, header: 2).description
            == "s.csv: line 4 has 1 cells, the header 2")
    }

    @Test func aMissingHeaderColumnOrNoRowsIsRefused() {
        #expect(throws: ScoreTableError.empty(source: "s.csv")) { try ScoreTable(csv: " \n\n", source: "s.csv") }
        #expect(throws: ScoreTableError.noRows(source: "s.csv")) { try ScoreTable(csv: "score,label\n", source: "s.csv") }
        let missing = #expect(throws: ScoreTableError.self) { try ScoreTable(csv: "file,score\na,1\n", source: "s.csv") }
        #expect(missing == .missingColumns(source: "s.csv", found: ["file", "score"]))
        #expect(missing?.description == "s.csv: the header must name a 'score' and a 'label' column (found: file, score)")
    }

    /// With a `video` column the rows are frames, grouped by video in order of first appearance.
    @Test func aVideoColumnGroupsFrames() throws {
        let text = "video,frame,score,label\nB,0,0.1,0\nA,0,0.9,1\nB,1,0.8,1\nA,1,0.2,0\nB,2,0.3,0\n"
        let table = try ScoreTable(csv: text, source: "frames.csv")
        #expect(table.hasVideos)
        #expect(table.rows.map(\.video) == ["B", "A", "B", "A", "B"])
        let videos = try table.videos()
        #expect(videos.map(\.name) == ["frames.csv: video B", "frames.csv: video A"])
        #expect(videos[0].scores == [0.1, 0.8, 0.3])
        #expect(videos[0].labels == [false, true, false])
        #expect(videos[1].scores == [0.9, 0.2])
        let auroc = try FrameAUROC(videos: videos)
        #expect(auroc.micro == 1)
        #expect(auroc.macroVideoCount == 2)
    }
}
