#ifndef XADKIT_CBLAS_SHIM_H
#define XADKIT_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extensions used to pin the thread count. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* OpenBLAS's build options and the kernel it chose for this CPU, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
char *openblas_get_config(void);
#endif
