import Foundation
import Testing
import XADData
import XADImage
import XADMetrics
import XADTensor

/// Score maps and masks in two folders, paired by name and read as `xad metrics` reads them.
@Suite("Map and mask folders")
struct MapMaskFoldersTests {
    /// A maps folder and a masks folder in a fresh temporary folder.
    private struct Folders {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-maps-\(UUID().uuidString)")
        var maps: URL { root.appendingPathComponent("maps") }
        var masks: URL { root.appendingPathComponent("masks") }

        init() throws {
            for folder in [maps, masks] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        }

        /// A 2 x 3 float32 map.
        func map(_ name: String, _ scores: [Float] = [0.1, 0.9, 0.2, 0.8, 0.3, 0.4]) throws {
            try NPYFile.write(try Tensor(shape: [2, 3], scalars: scores), to: maps.appendingPathComponent(name))
        }

        /// A 2 x 3 gray 8-bit PNG mask.
        func pngMask(_ name: String, _ samples: [UInt16] = [0, 255, 0, 255, 0, 0]) throws {
            try Image(width: 3, height: 2, channels: 1, samples: samples).write(to: masks.appendingPathComponent(name))
        }

        /// A 2 x 3 uint8 `.npy` mask.
        func npyMask(_ name: String, _ values: [UInt8]) throws {
            try AtomicFile.write(try NPYFile.encode(values, shape: [2, 3]), to: masks.appendingPathComponent(name))
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func pairsByNameWithOrWithoutMaskSuffix() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.map("b.npy")
        try folders.map("a.npy")
        try folders.pngMask("a_mask.png")
        try folders.pngMask("b.png")
        try Data("notes".utf8).write(to: folders.masks.appendingPathComponent("README.txt"))
        let pairing = try MapMaskFolders(maps: folders.maps, masks: folders.masks)
        #expect(pairing.pairs.map(\.map.lastPathComponent) == ["a.npy", "b.npy"])
        #expect(pairing.pairs.map(\.mask.lastPathComponent) == ["a_mask.png", "b.png"])
        var progress: [String] = []
        let (maps, masks) = try pairing.read { progress.append("\($0) of \($1)") }
        #expect(progress == ["1 of 2", "2 of 2"])
        #expect(maps[0].scores == [0.1, 0.9, 0.2, 0.8, 0.3, 0.4])
        #expect(maps[0].name == folders.maps.appendingPathComponent("a.npy").path)
        #expect(masks[1].isDefect == [false, true, false, true, false, false])
    }

    @Test func anOrphanMaskIsNamedFirst() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.map("a.npy")
        try folders.pngMask("a.png")
        try folders.pngMask("z_mask.png")
        try folders.map("c.npy")
        let error = #expect(throws: MapMaskError.self) { try MapMaskFolders(maps: folders.maps, masks: folders.masks) }
        let mask = folders.masks.appendingPathComponent("z_mask.png")
        #expect(error == .orphanMask(mask, name: "z", mapsFolder: folders.maps))
        #expect(error?.description == "\(mask.path): this mask has no score map named z.npy or z.png in \(folders.maps.path)")
        #expect(error?.exitStatus == .data)
    }

    @Test func aMapWithoutAMaskIsNamed() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.map("a.npy")
        try folders.map("b.npy")
        try folders.pngMask("a.png")
        let error = #expect(throws: MapMaskError.self) { try MapMaskFolders(maps: folders.maps, masks: folders.masks) }
        let map = folders.maps.appendingPathComponent("b.npy")
        #expect(error == .missingMask(map, name: "b", masksFolder: folders.masks))
        #expect(error?.description == "\(map.path): no mask named b.png, b_mask.png or b.npy in \(folders.masks.path)")
    }

    @Test func anEmptyOrMissingFolderIsNamed() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.pngMask("a.png")
        #expect(throws: MapMaskError.noFiles(folders.maps)) { try MapMaskFolders(maps: folders.maps, masks: folders.masks) }
        let missing = folders.root.appendingPathComponent("nothing")
        let error = #expect(throws: MapMaskError.self) { try MapMaskFolders(maps: missing, masks: folders.masks) }
        #expect(error?.description.hasPrefix("\(missing.path): cannot list the folder") == true)
    }

    /// A uint8 `.npy` mask of 0 and 255 (MVTec AD tools, anomalib) reads as the same PNG mask does,
    /// and gives the same pixel metrics.
    @Test func aUInt8MaskOf0And255ReadsLikeThePNGMask() throws {
        let png = try Folders(), npy = try Folders()
        defer { png.remove(); npy.remove() }
        let samples: [UInt16] = [0, 255, 0, 255, 255, 0]
        for folders in [png, npy] {
            try folders.map("a.npy")
            try folders.map("b.npy", [0.5, 0.1, 0.7, 0.6, 0.2, 0.9])
        }
        try png.pngMask("a.png", samples)
        try png.pngMask("b_mask.png", samples.reversed())
        try npy.npyMask("a.npy", samples.map { UInt8($0) })
        try npy.npyMask("b_mask.npy", samples.reversed().map { UInt8($0) })
        let fromPNG = try MapMaskFolders(maps: png.maps, masks: png.masks).read()
        let fromNPY = try MapMaskFolders(maps: npy.maps, masks: npy.masks).read()
        #expect(fromNPY.masks.map(\.isDefect) == fromPNG.masks.map(\.isDefect))
        #expect(fromNPY.masks[0].isDefect == [false, true, false, true, true, false])
        let viaPNG = try PixelMetrics(maps: fromPNG.maps, masks: fromPNG.masks)
        let viaNPY = try PixelMetrics(maps: fromNPY.maps, masks: fromNPY.masks)
        #expect(try viaNPY.auroc() == viaPNG.auroc())
        #expect(try viaNPY.aupro() == viaPNG.aupro())
        // tolerance: 1e-12; 19.5 of the 36 defect/normal pixel pairs are ordered right (ties count half).
        #expect(abs(try viaNPY.auroc() - 19.5 / 36) < 1e-12)
    }

    /// A uint8 mask of 0 and 1 stays as stored; a grey uint8 mask is scaled like a PNG, so it needs
    /// a threshold on the 0...1 scale.
    @Test func uint8MasksOf0And1OrGreyValues() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.npyMask("ones.npy", [0, 1, 1, 0, 0, 0])
        #expect(try DefectMask(contentsOf: folders.masks.appendingPathComponent("ones.npy")).isDefect
            == [false, true, true, false, false, false])
        try folders.npyMask("grey.npy", [0, 100, 200, 255, 127, 128])
        let grey = folders.masks.appendingPathComponent("grey.npy")
        #expect(throws: MetricsError.self) { try DefectMask(contentsOf: grey) }
        #expect(try DefectMask(contentsOf: grey, threshold: 0.5).isDefect == [false, false, true, true, false, true])
    }

    @Test func aMapOfTheWrongShapeOrAColourMaskIsRefused() throws {
        let folders = try Folders()
        defer { folders.remove() }
        let cube = folders.maps.appendingPathComponent("cube.npy")
        try NPYFile.write(Tensor.zeros([2, 2, 2]), to: cube)
        #expect(throws: MapMaskError.notAPlane(cube, shape: [2, 2, 2])) { try ScoreMap(contentsOf: cube) }
        let flat = folders.maps.appendingPathComponent("flat.npy")
        try NPYFile.write(Tensor.zeros([1, 1, 2, 3]), to: flat)
        #expect(try ScoreMap(contentsOf: flat).height == 2)
        let colour = folders.masks.appendingPathComponent("colour.png")
        try Image(width: 2, height: 1, channels: 3, samples: [0, 0, 0, 255, 0, 255]).write(to: colour)
        #expect(throws: MapMaskError.colourImage(colour, x: 1, y: 0)) { try DefectMask(contentsOf: colour) }
    }
}
