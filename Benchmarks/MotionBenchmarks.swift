import Foundation
import XADImage

/// Speed of the motion primitives at UCSD Ped2's 360 x 240: dense Lucas-Kanade flow between
/// consecutive frames, and foreground boxes (running-median background, opening, connected
/// regions). Uses the first 11 frames of Ped2 test clip 04 from `../shared/data` when present,
/// otherwise a moving synthetic texture of the same size. Flow runs on one thread.
struct MotionBenchmarks: BenchmarkSuite {
    let name = "motion"

    func run(into report: inout BenchmarkReport) throws {
        let (frames, source) = try Self.frames()
        let flow = DenseLucasKanade()
        let pairs = frames.count - 1
        let flowSeconds = try medianSeconds(repetitions: 3) {
            for k in 0..<pairs { _ = try flow(frames[k], frames[k + 1]) }
        } / Double(pairs)
        report.record(name, "frames", source)
        report.record(name, "flow_360x240_frames_per_s", rounded(1 / flowSeconds, 1))
        report.record(name, "flow_360x240_cpu_ms", rounded(try cpuSeconds(repetitions: 3) { _ = try flow(frames[0], frames[1]) } * 1000, 2))

        var background = try MedianBackground(median: frames)
        let regionSeconds = try medianSeconds(repetitions: 3) {
            for frame in frames {
                _ = try background.foreground(frame, threshold: 0.08).opened(size: 3).closed(size: 5).regions(minimumArea: 40)
                try background.update(with: frame)
            }
        } / Double(frames.count)
        report.record(name, "foreground_boxes_360x240_frames_per_s", rounded(1 / regionSeconds, 1))
    }

    static func frames() throws -> ([GrayPlane], String) {
        let folder = URL(fileURLWithPath: "../shared/data/ucsd_ped2/testing/frames/04")
        if FileManager.default.fileExists(atPath: folder.path) {
            let frames = try (0...10).map { try GrayPlane(Image(contentsOf: folder.appendingPathComponent(String(format: "%03d.jpg", $0)))) }
            return (frames, "ucsd_ped2 testing/04 frames 0-10")
        }
        let frames = try (0...10).map { k in
            try GrayPlane(width: 360, height: 240, values: (0..<(360 * 240)).map { i in
                let (x, y) = (Float(i % 360) - Float(k) * 1.5, Float(i / 360))
                return 0.5 + 0.2 * sin(x / 7) * cos(y / 5) + 0.1 * sin((x + y) / 13)
            })
        }
        return (frames, "synthetic texture moving 1.5 px per frame")
    }
}
