#ifndef VBQLAB_CZLIB_H
#define VBQLAB_CZLIB_H
#include <zlib.h>
#endif
