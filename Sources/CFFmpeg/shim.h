#ifndef XADKIT_CFFMPEG_SHIM_H
#define XADKIT_CFFMPEG_SHIM_H
/* FFmpeg's demuxer, decoders and scaler. Its error codes are macros Swift cannot import. */
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>

static inline int xad_averror_eof(void) { return AVERROR_EOF; }
static inline int xad_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t xad_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int xad_sws_bilinear(void) { return SWS_BILINEAR; }
#endif
