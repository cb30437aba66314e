import Foundation
import Testing
@testable import XADImage

@Suite struct VideoFrameFolderTests {
    @Test func framesAreOrderedByTheirNumber() {
        let names = ["10.jpg", "9.jpg", "frame_2.png", "0001.png", "b.png", "a.png", "100.jpg", "99999999999999999999999.jpg"]
        #expect(names.sorted(by: FrameFolder.playsBefore)
                == ["0001.png", "frame_2.png", "9.jpg", "10.jpg", "100.jpg", "99999999999999999999999.jpg", "a.png", "b.png"])
        #expect(FrameFolder.frameNumber("Test001_frame007.tif") == "7")
        #expect(FrameFolder.frameNumber("000.jpg") == "0")
        #expect(FrameFolder.frameNumber("mask.bmp") == nil)
    }

    @Test func folderListsOnlyImagesAndDecodesLazily() throws {
        let folder = try temporaryFolder("frames")
        defer { try? FileManager.default.removeItem(at: folder) }
        for index in [10, 9, 1] {
            let image = try Image(width: 3, height: 2, channels: 1, repeating: UInt16(index))
            try image.write(to: folder.appendingPathComponent("\(index).png"))
        }
        try Data("notes".utf8).write(to: folder.appendingPathComponent("readme.txt"))
        try Data().write(to: folder.appendingPathComponent(".hidden.png"))

        let frames = try FrameFolder(url: folder)
        #expect(frames.count == 3)
        #expect(frames.map { $0.samples[0] } == [1, 9, 10])
        #expect(throws: ImageError.self) { _ = try frames.frame(at: 3) }
    }

    /// A damaged frame stops iteration: `next()` keeps the error, `nextFrame()` throws it.
    @Test func damagedFrameEndsIterationWithItsError() throws {
        let folder = try temporaryFolder("frames-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Image(width: 2, height: 2, channels: 1).write(to: folder.appendingPathComponent("0.png"))
        try Data("broken".utf8).write(to: folder.appendingPathComponent("1.png"))
        try Image(width: 2, height: 2, channels: 1).write(to: folder.appendingPathComponent("2.png"))

        var iterator = try FrameFolder(url: folder).makeIterator()
        #expect(iterator.next() != nil)
        #expect(iterator.next() == nil)
        #expect(iterator.error?.description.contains("1.png") == true)
        #expect(iterator.next() == nil)

        var throwing = try FrameFolder(url: folder).makeIterator()
        _ = try throwing.nextFrame()
        #expect(throws: ImageError.self) { _ = try throwing.nextFrame() }
    }

    @Test func emptyOrMissingFolderIsAnError() throws {
        let folder = try temporaryFolder("frames-empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ImageError.self) { _ = try FrameFolder(url: folder) }
        #expect(throws: ImageError.self) { _ = try FrameFolder(url: folder.appendingPathComponent("nope")) }
    }
}
