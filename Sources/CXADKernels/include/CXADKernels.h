// The umbrella header of CXADKernels (SwiftPM uses the header named after the target): a new
// kernel header is listed here, so an existing build's cached clang module sees it change.
#include "xad_cpu.h"
#include "xad_depthwise.h"
#include "xad_kcenter.h"
#include "xad_sgemm.h"
#include "xad_winograd.h"
