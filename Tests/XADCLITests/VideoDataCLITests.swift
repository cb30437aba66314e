import Foundation
import Testing
import XADTestSupport

/// Bad video data through the command line: `xad fit` on a damaged copy of the synthetic
/// `clips` set (Tools/reference/gen_video_sets.py) exits with the data status 2, names the clip
/// or the label line, and writes no model.
@Suite("xad on bad video data")
struct VideoDataCLITests {
    @Test(arguments: ["video", "labels"])
    func badVideoDataExitsWithStatusTwoAndWritesNothing(fault: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-cli-clips-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixture.directory.appendingPathComponent("video_sets/clips"), to: root)
        let model = root.appendingPathComponent("model.xadm")
        defer { try? FileManager.default.removeItem(at: root) }
        let expected: String
        switch fault {
        case "video":
            try Data("not a video".utf8).write(to: root.appendingPathComponent("test/night.mp4"))
            expected = "clip night"
        default:
            try Data("clip,first,last\nyard,4,9\n".utf8).write(to: root.appendingPathComponent("labels.csv"))
            expected = "clip yard: frame 9"
        }
        let outcome = try XADProcess.run(["fit", "--detector", "padim", "--data", root.path, "--format", "clips",
                                          "--image-size", "64", "--layers", "stage1", "--quiet", "--out", model.path])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(expected), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model.path))
    }
}
