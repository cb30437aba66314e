import CFFmpeg
import XADTensor
import Foundation

/// One open video stream: demuxer, decoder and pixel-format converter, freed together on deinit.
/// Frames come out one at a time; nothing beyond the decoder's own reference frames is kept.
final class FFmpegDecoder {
    let source: String
    let color: VideoFile.Color
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var scaler: OpaquePointer?
    private var streamIndex: Int32 = -1
    private var draining = false
    private var finished = false
    /// Frames decoded so far, checked against the video limits (a container may under-declare).
    private var decodedFrames = 0

    // Every stored property has a value before the first `throw`, so a failed init still runs
    // `deinit` and frees whatever FFmpeg had allocated.
    /// Frame size, rate and count as the container declares them.
    private(set) var width = 0, height = 0
    private(set) var framesPerSecond: Double?
    private(set) var declaredFrameCount: Int?
    private(set) var codecName = ""

    init(url: URL, color: VideoFile.Color) throws {
        source = url.path
        self.color = color
        av_log_set_level(AV_LOG_QUIET)  // errors reach the caller as ImageError instead
        var opened: UnsafeMutablePointer<AVFormatContext>?
        try FFmpegDecoder.check(avformat_open_input(&opened, url.path, nil, nil), url.path, "cannot open the video")
        format = opened
        try FFmpegDecoder.check(avformat_find_stream_info(opened, nil), url.path, "cannot read the stream information")
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(opened, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard index >= 0, let decoder, let stream = opened?.pointee.streams[Int(index)] else {
            throw ImageError(.video, url.path, "no decodable video stream (\(FFmpegDecoder.describe(index)))")
        }
        streamIndex = index
        codec = avcodec_alloc_context3(decoder)
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard codec != nil, packet != nil, frame != nil else {
            throw ImageError(.video, url.path, "out of memory for the decoder")
        }
        try FFmpegDecoder.check(avcodec_parameters_to_context(codec, stream.pointee.codecpar), url.path, "bad codec parameters")
        try FFmpegDecoder.check(avcodec_open2(codec, decoder, nil), url.path, "cannot open the \(String(cString: decoder.pointee.name)) decoder")
        let parameters = stream.pointee.codecpar.pointee
        width = Int(parameters.width)
        height = Int(parameters.height)
        try Image.validate(width: width, height: height, channels: color.channels, bitDepth: 8, source: url.path)
        let rate = stream.pointee.avg_frame_rate.den != 0 ? stream.pointee.avg_frame_rate : stream.pointee.r_frame_rate
        framesPerSecond = rate.den != 0 && rate.num > 0 ? Double(rate.num) / Double(rate.den) : nil
        declaredFrameCount = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        codecName = String(cString: decoder.pointee.name)
        if let declaredFrameCount { try checkVideoLimits(frames: declaredFrameCount, what: "declares") }
    }

    /// Refuses a clip of more than `maxVideoFrames` frames or `maxVideoPixels` frames x pixels
    /// (``ReadingLimits``), whether the container declares them or decoding reaches them.
    private func checkVideoLimits(frames: Int, what: String) throws {
        let limits = ReadingLimits.current
        if frames > limits.maxVideoFrames {
            throw ImageError(.invalidSize, source,
                             "the video \(what) \(frames) frames, more than \(limits.maxVideoFrames) \(limits.advice("maxVideoFrames"))")
        }
        guard let pixels = ReadingLimits.product([frames, width, height]), pixels <= limits.maxVideoPixels else {
            throw ImageError(.invalidSize, source, "the video \(what) \(frames) frames of \(width)x\(height), more than "
                             + "\(limits.maxVideoPixels) pixels in all \(limits.advice("maxVideoPixels"))")
        }
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        avformat_close_input(&format)
    }

    /// The next decoded frame, or nil at the end of the stream.
    func nextFrame() throws -> Image? {
        while !finished {
            let received = avcodec_receive_frame(codec, frame)
            if received == 0 {
                decodedFrames += 1
                try checkVideoLimits(frames: decodedFrames, what: "holds at least")
                return try convertFrame()
            }
            if received == xad_averror_eof() { finished = true; break }
            guard received == xad_averror_eagain(), !draining else {
                throw ImageError(.video, source, "cannot decode a frame (\(FFmpegDecoder.describe(received)))")
            }
            let read = av_read_frame(format, packet)
            if read < 0 {
                guard read == xad_averror_eof() else {
                    throw ImageError(.video, source, "cannot read the video (\(FFmpegDecoder.describe(read)))")
                }
                draining = true
                _ = avcodec_send_packet(codec, nil)  // flush: the decoder returns what it still holds
                continue
            }
            let sent = packet?.pointee.stream_index == streamIndex ? avcodec_send_packet(codec, packet) : 0
            av_packet_unref(packet)
            guard sent >= 0 else {
                throw ImageError(.video, source, "cannot decode a packet (\(FFmpegDecoder.describe(sent)))")
            }
        }
        return nil
    }

    /// Counts the video stream's packets to its end without decoding them (one packet per frame
    /// in the containers data sets use); the decoder is spent afterwards.
    func countPackets() throws -> Int {
        var count = 0
        while true {
            let read = av_read_frame(format, packet)
            if read == xad_averror_eof() { return count }
            guard read >= 0 else {
                throw ImageError(.video, source, "cannot read the video after \(count) frames (\(FFmpegDecoder.describe(read)))")
            }
            if packet?.pointee.stream_index == streamIndex { count += 1 }
            av_packet_unref(packet)
        }
    }

    /// Converts the decoded frame (any pixel format) to packed 8-bit gray or RGB.
    private func convertFrame() throws -> Image {
        guard let frame else { throw ImageError(.video, source, "no frame buffer") }
        let (frameWidth, frameHeight) = (Int(frame.pointee.width), Int(frame.pointee.height))
        try Image.validate(width: frameWidth, height: frameHeight, channels: color.channels, bitDepth: 8, source: source)
        let target = color == .gray ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        scaler = sws_getCachedContext(scaler, frame.pointee.width, frame.pointee.height,
                                      AVPixelFormat(rawValue: frame.pointee.format), frame.pointee.width,
                                      frame.pointee.height, target, SWS_BILINEAR | SWS_ACCURATE_RND, nil, nil, nil)
        guard let scaler else {
            throw ImageError(.video, source, "cannot convert pixel format \(frame.pointee.format)")
        }
        let rowBytes = frameWidth * color.channels
        var pixels = [UInt8](repeating: 0, count: rowBytes * frameHeight)
        let rows = pixels.withUnsafeMutableBufferPointer { output -> Int32 in
            var destination: [UnsafeMutablePointer<UInt8>?] = [output.baseAddress, nil, nil, nil]
            var destinationStride: [Int32] = [Int32(rowBytes), 0, 0, 0]
            return withUnsafePointer(to: &frame.pointee.data) { planes in
                withUnsafePointer(to: &frame.pointee.linesize) { strides in
                    planes.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                        strides.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                            sws_scale(scaler, planes, strides, 0, frame.pointee.height, &destination, &destinationStride)
                        }
                    }
                }
            }
        }
        guard rows == frame.pointee.height else {
            throw ImageError(.video, source, "pixel conversion produced \(rows) of \(frameHeight) rows")
        }
        return Image(validatedWidth: frameWidth, height: frameHeight, channels: color.channels, bitDepth: 8,
                     samples: pixels.withUnsafeBufferPointer(Image.widened))
    }

    private static func check(_ status: Int32, _ source: String, _ what: String) throws {
        guard status >= 0 else { throw ImageError(.video, source, "\(what) (\(describe(status)))") }
    }

    /// FFmpeg's text for an error code, e.g. "Invalid data found when processing input".
    static func describe(_ status: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = av_strerror(status, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
