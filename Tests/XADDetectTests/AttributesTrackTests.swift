import Testing
@testable import XADDetect
import XADImage

/// Tracks by box overlap and the attribute detector's box maps, against values worked out by hand.
@Suite("Attributes: tracks and box maps")
struct AttributesTrackTests {
    private func object(_ frame: Int, _ x: Int, _ y: Int) -> MeasuredObject {
        MeasuredObject(frame: frame, box: PixelBox(x: x, y: y, width: 10, height: 10), area: 100, velocity: [], appearance: [])
    }

    @Test func objectsContinueTheMostOverlappingObjectOfTheFrameBefore() {
        // Frame 1's first box overlaps frame 0's by IoU 80 / 120; its second box overlaps nothing;
        // frame 2's box continues frame 1's first (IoU 80 / 120), not the far one.
        let tracks = ObjectTracks(frames: [[object(0, 0, 0)], [object(1, 2, 0), object(1, 50, 50)], [object(2, 4, 0)]])
        #expect(tracks.predecessor == [nil, 0, nil, 1])
        // Medians over each track (upper median of an even count), exact.
        #expect(tracks.trackMedians([1, 5, 9, 3], length: 8) == [1, 5, 9, 3])
        #expect(tracks.trackMedians([1, 5, 9, 2], length: 8) == [1, 5, 9, 2])
        #expect(tracks.trackMedians([1, 5, 9, 7], length: 8) == [1, 5, 9, 5])
        #expect(tracks.trackMedians([1, 5, 9, 7], length: 2) == [1, 5, 9, 7])
        #expect(tracks.trackMedians([1, 5, 9, 7], length: 1) == [1, 5, 9, 7])
    }

    @Test func aBoxMapHoldsEachBoxsScoreAndTheLargerWhereTheyOverlap() throws {
        let map = try Attributes.boxMap([(PixelBox(x: 0, y: 0, width: 2, height: 2), Float(1)),
                                         (PixelBox(x: 1, y: 1, width: 3, height: 1), Float(2))], height: 3, width: 4)
        #expect(map.shape == [3, 4])
        #expect(map.scalars == [1, 1, 0, 0,
                                1, 2, 2, 2,
                                0, 0, 0, 0])
    }
}
