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
