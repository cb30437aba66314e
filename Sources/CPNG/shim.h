#ifndef XADKIT_CPNG_SHIM_H
#define XADKIT_CPNG_SHIM_H
/* libpng's simplified API (png_image_*): reports errors through png_image.message, no setjmp. */
#include <png.h>

/* PNG_IMAGE_SIZE and friends are macros; Swift computes sizes itself from these. */
static inline int xad_png_image_failed(const png_image *image) { return PNG_IMAGE_FAILED(*image); }
#endif
