#ifndef XADKIT_CTIFF_SHIM_H
#define XADKIT_CTIFF_SHIM_H
/* libtiff: TIFFGetField is variadic, so Swift calls TIFFVGetField with a va_list. */
#include <tiffio.h>
#endif
