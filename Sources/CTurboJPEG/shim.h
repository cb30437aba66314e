#ifndef XADKIT_CTURBOJPEG_SHIM_H
#define XADKIT_CTURBOJPEG_SHIM_H
/* TurboJPEG 2.1 (Debian 12): the tjDecompress2 / tjCompress2 API, errors returned, no setjmp. */
#include <stddef.h>
#include <turbojpeg.h>
#endif
