#ifndef XADKIT_CFFMPEG_SHIM_H
#define XADKIT_CFFMPEG_SHIM_H
/* FFmpeg's demuxer, decoders and scaler. Its error codes are function-like macros Swift cannot
   import, so they are wrapped here. */
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>

static inline int xad_averror_eof(void) { return AVERROR_EOF; }
static inline int xad_averror_eagain(void) { return AVERROR(EAGAIN); }
#endif
