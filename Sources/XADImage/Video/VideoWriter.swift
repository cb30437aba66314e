import CFFmpeg
import Foundation

/// Writes frames to a video file through FFmpeg's encoders: H.264 in MP4 (what browsers' `<video>`
/// plays everywhere) or VP9 in WebM where this FFmpeg has no H.264 encoder.
///
/// Frames are converted to YUV 4:2:0, whose chroma planes need an even width and height: an odd
/// side loses its last pixel column or row. The file is written to a hidden temporary file beside
/// `url` and renamed by ``finish()``, so a failed or abandoned writer leaves nothing at `url`.
///
/// ```swift
/// let writer = try VideoWriter(url: URL(fileURLWithPath: "clip.mp4"), width: 360, height: 240, framesPerSecond: 10)
/// for frame in frames { try writer.append(frame) }     // 8-bit gray or RGB images of 360 x 240
/// try writer.finish()
/// ```
public final class VideoWriter {
    /// The encodings a writer makes.
    public enum Codec: String, Sendable, CaseIterable {
        /// H.264 (libx264) in an MP4 container.
        case h264
        /// VP9 (libvpx) in a WebM container.
        case vp9

        /// The file extension of the codec's container: `mp4` or `webm`.
        public var fileExtension: String { self == .h264 ? "mp4" : "webm" }
        /// The container's MIME type, for HTML `<source type=...>`.
        public var mimeType: String { self == .h264 ? "video/mp4" : "video/webm" }
        /// Whether this FFmpeg has an encoder for the codec.
        public var isAvailable: Bool { encoder != nil }
        /// The first codec this FFmpeg can encode (H.264 before VP9), nil when neither.
        public static var preferred: Codec? { allCases.first { $0.isAvailable } }

        var encoder: UnsafePointer<AVCodec>? {
            let names = self == .h264 ? ["libx264"] : ["libvpx-vp9"]
            return names.lazy.compactMap { avcodec_find_encoder_by_name($0) }.first
        }

        /// Fast settings: the report's clips are short and written on a loaded CPU.
        var encoderOptions: [(String, String)] {
            self == .h264 ? [("preset", "veryfast"), ("crf", "23")] : [("deadline", "realtime"), ("cpu-used", "8"), ("b", "0"), ("crf", "32")]
        }
    }

    /// Where the finished file goes.
    public let url: URL
    /// The encoded frame size (the input size rounded down to even numbers).
    public let width: Int, height: Int
    /// The size every appended frame must have.
    public let inputWidth: Int, inputHeight: Int
    public let codec: Codec
    /// Frames appended so far.
    public private(set) var frameCount = 0

    private let temporary: URL
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var isOpen = false
    private var isFinished = false

    /// Opens the encoder for frames of `width` x `height` at `framesPerSecond`.
    /// - Parameters:
    ///   - url: where the finished video goes (its extension should be the codec's).
    ///   - width: the frames' width in pixels.
    ///   - height: the frames' height in pixels.
    ///   - framesPerSecond: the playing rate. Default 10 (the UCSD sets' rate).
    ///   - codec: the encoding; nil takes ``Codec/preferred``.
    /// - Throws: `ImageError` (kind `.video`) when no encoder is available, a size is below 2 or
    ///   the file cannot be created.
    public init(url: URL, width: Int, height: Int, framesPerSecond: Int = 10, codec: Codec? = nil) throws {
        self.url = url
        (inputWidth, inputHeight) = (width, height)
        (self.width, self.height) = (width & ~1, height & ~1)
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        self.codec = codec ?? Codec.preferred ?? .h264
        av_log_set_level(AV_LOG_QUIET)  // errors reach the caller as ImageError instead
        guard let encoder = self.codec.encoder else {
            throw ImageError(.video, url.path, "this FFmpeg has no \(self.codec.rawValue) encoder")
        }
        guard self.width >= 2, self.height >= 2, framesPerSecond > 0 else {
            throw ImageError(.invalidArgument, url.path, "cannot encode \(width)x\(height) frames at \(framesPerSecond) frames/s")
        }
        var output: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&output, nil, self.codec.fileExtension, temporary.path), "cannot create the container")
        format = output
        stream = avformat_new_stream(output, nil)
        context = avcodec_alloc_context3(encoder)
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let output, let stream, let context, let frame else { throw ImageError(.video, url.path, "out of memory for the encoder") }
        context.pointee.width = Int32(self.width)
        context.pointee.height = Int32(self.height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(framesPerSecond))
        context.pointee.framerate = AVRational(num: Int32(framesPerSecond), den: 1)
        context.pointee.gop_size = 2 * Int32(framesPerSecond)
        if output.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            context.pointee.flags |= 1 << 22  // AV_CODEC_FLAG_GLOBALHEADER, a macro Swift does not import
        }
        var options: OpaquePointer?
        for (key, value) in self.codec.encoderOptions { av_dict_set(&options, key, value, 0) }
        let opened = avcodec_open2(context, encoder, &options)
        av_dict_free(&options)
        try check(opened, "cannot open the \(self.codec.rawValue) encoder")
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, context), "bad encoder parameters")
        stream.pointee.time_base = context.pointee.time_base
        try check(avio_open(&output.pointee.pb, temporary.path, AVIO_FLAG_WRITE), "cannot create the file")
        isOpen = true
        var muxerOptions: OpaquePointer?
        if self.codec == .h264 { av_dict_set(&muxerOptions, "movflags", "+faststart", 0) }  // playable while loading
        let header = avformat_write_header(output, &muxerOptions)
        av_dict_free(&muxerOptions)
        try check(header, "cannot write the header")
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.width = Int32(self.width)
        frame.pointee.height = Int32(self.height)
        try check(av_frame_get_buffer(frame, 0), "out of memory for a frame")
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&context)
        if isOpen { avio_closep(&format!.pointee.pb) }
        avformat_free_context(format)
        if !isFinished { try? FileManager.default.removeItem(at: temporary) }
    }

    /// Encodes one frame: an 8-bit gray or RGB image of the writer's input size.
    /// - Throws: `ImageError` for another size or channel count, or an encoder failure.
    public func append(_ image: Image) throws {
        guard !isFinished else { throw ImageError(.invalidArgument, url.path, "the video is already finished") }
        guard image.width == inputWidth, image.height == inputHeight, image.channels == 1 || image.channels == 3, image.bitDepth == 8 else {
            throw ImageError(.invalidArgument, url.path,
                             "frame \(frameCount) is \(image.width)x\(image.height) with \(image.channels) channels at \(image.bitDepth) bits; "
                                + "the video takes \(inputWidth)x\(inputHeight) 8-bit gray or RGB frames")
        }
        guard let frame else { throw ImageError(.video, url.path, "no frame buffer") }
        let source = image.channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        scaler = sws_getCachedContext(scaler, Int32(inputWidth), Int32(inputHeight), source, Int32(width), Int32(height),
                                      AV_PIX_FMT_YUV420P, SWS_BILINEAR, nil, nil, nil)
        guard let scaler else { throw ImageError(.video, url.path, "cannot convert frames to YUV 4:2:0") }
        try check(av_frame_make_writable(frame), "cannot write a frame")
        let pixels = image.samples.map { UInt8(truncatingIfNeeded: $0) }
        let rows = pixels.withUnsafeBufferPointer { input -> Int32 in
            var planes: [UnsafePointer<UInt8>?] = [input.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(inputWidth * image.channels), 0, 0, 0]
            return withUnsafeMutablePointer(to: &frame.pointee.data) { output in
                withUnsafeMutablePointer(to: &frame.pointee.linesize) { outputStrides in
                    output.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { output in
                        outputStrides.withMemoryRebound(to: Int32.self, capacity: 8) { outputStrides in
                            sws_scale(scaler, &planes, &strides, 0, Int32(inputHeight), output, outputStrides)
                        }
                    }
                }
            }
        }
        guard rows == Int32(height) else { throw ImageError(.video, url.path, "frame conversion produced \(rows) of \(height) rows") }
        frame.pointee.pts = Int64(frameCount)
        try check(avcodec_send_frame(context, frame), "cannot encode frame \(frameCount)")
        try writePackets()
        frameCount += 1
    }

    /// Encodes the frames still held by the encoder, closes the file and renames it to ``url``.
    /// - Throws: `ImageError` when no frame was appended or the file cannot be finished.
    public func finish() throws {
        guard !isFinished else { return }
        guard frameCount > 0 else { throw ImageError(.invalidArgument, url.path, "a video needs at least one frame") }
        try check(avcodec_send_frame(context, nil), "cannot flush the encoder")
        try writePackets()
        try check(av_write_trailer(format), "cannot write the trailer")
        avio_closep(&format!.pointee.pb)
        isOpen = false
        guard rename(temporary.path, url.path) == 0 else {
            throw ImageError(.video, url.path, "cannot rename the finished video into place (\(String(cString: strerror(errno))))")
        }
        isFinished = true
    }

    /// Moves every packet the encoder has ready into the file.
    private func writePackets() throws {
        while true {
            let received = avcodec_receive_packet(context, packet)
            if received == xad_averror_eagain() || received == xad_averror_eof() { return }
            try check(received, "cannot encode a frame")
            guard let packet, let stream, let context else { return }
            // Every frame lasts one tick; without it MP4 gives the last frame no duration and players drop it.
            if packet.pointee.duration == 0 { packet.pointee.duration = 1 }
            av_packet_rescale_ts(packet, context.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(format, packet)  // takes the packet's data
            try check(written, "cannot write a packet")
        }
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status >= 0 else { throw ImageError(.video, url.path, "\(what) (\(FFmpegDecoder.describe(status)))") }
    }
}
