import Foundation
import XADMetrics

/// A folder of score maps and a folder of ground-truth masks, paired by file name, as any tool
/// can write them: `.npy` arrays or gray `.png` images (see `ScoreMap.init(contentsOf:)` and
/// `DefectMask.init(contentsOf:threshold:)` for how each file is read).
///
/// A map `NAME.npy` or `NAME.png` pairs with the mask of the same name, extension aside; a mask
/// named `NAME_mask` also pairs with `NAME`. Every map needs a mask and every mask a map. Files are
/// taken in order of name; other files in the folders are ignored.
///
/// ```swift
/// let folders = try MapMaskFolders(maps: URL(fileURLWithPath: "maps"), masks: URL(fileURLWithPath: "masks"))
/// let (maps, masks) = try folders.read { number, count in print("reading map \(number) of \(count)") }
/// print(try PixelMetrics(maps: maps, masks: masks).aupro())
/// ```
public struct MapMaskFolders: Sendable {
    /// A score map file and the mask file it pairs with.
    public struct Pair: Sendable, Equatable {
        public let map: URL
        public let mask: URL
    }

    /// The folder of score maps.
    public let mapsFolder: URL
    /// The folder of masks.
    public let masksFolder: URL
    /// The pairs in order of the maps' file names.
    public let pairs: [Pair]

    /// Lists both folders and pairs their files; reads no file yet.
    /// - Throws: ``MapMaskError`` for a folder that cannot be listed or holds no `.npy` or `.png`
    ///   file, a mask that matches no map (checked first), or a map without a mask.
    public init(maps mapsFolder: URL, masks masksFolder: URL) throws {
        let mapFiles = try Self.files(in: mapsFolder), maskFiles = try Self.files(in: masksFolder)
        var masksByName: [String: URL] = [:]
        for url in maskFiles {
            var stem = url.deletingPathExtension().lastPathComponent
            if stem.hasSuffix("_mask") { stem.removeLast(5) }
            masksByName[stem] = url
        }
        let mapNames = Set(mapFiles.map { $0.deletingPathExtension().lastPathComponent })
        if let orphan = masksByName.keys.sorted().first(where: { !mapNames.contains($0) }), let url = masksByName[orphan] {
            throw MapMaskError.orphanMask(url, name: orphan, mapsFolder: mapsFolder)
        }
        pairs = try mapFiles.map { map in
            let stem = map.deletingPathExtension().lastPathComponent
            guard let mask = masksByName[stem] else { throw MapMaskError.missingMask(map, name: stem, masksFolder: masksFolder) }
            return Pair(map: map, mask: mask)
        }
        self.mapsFolder = mapsFolder
        self.masksFolder = masksFolder
    }

    /// Reads every pair, in order: the maps as stored, the masks scaled to 0...1 and binary unless
    /// `maskThreshold` is given (a value above it is then a defect).
    ///
    /// `progress(number, count)` is called before the map numbered `number` (from 1) of `count` is
    /// read, for a progress line on long folders.
    /// - Throws: ``MapMaskError``, `ImageError` or `MetricsError` naming the file at fault.
    public func read(maskThreshold: Float? = nil, progress: (_ number: Int, _ count: Int) -> Void = { _, _ in })
        throws -> (maps: [ScoreMap], masks: [DefectMask])
    {
        var maps: [ScoreMap] = [], masks: [DefectMask] = []
        for (index, pair) in pairs.enumerated() {
            progress(index + 1, pairs.count)
            maps.append(try ScoreMap(contentsOf: pair.map))
            masks.append(try DefectMask(contentsOf: pair.mask, threshold: maskThreshold))
        }
        return (maps, masks)
    }

    /// The `.npy` and `.png` files of `folder`, sorted by name.
    private static func files(in folder: URL) throws -> [URL] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw MapMaskError.unreadableFolder(folder, reason: error.localizedDescription)
        }
        let urls = names.sorted().filter { ["npy", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            .map { folder.appendingPathComponent($0) }
        guard !urls.isEmpty else { throw MapMaskError.noFiles(folder) }
        return urls
    }
}
