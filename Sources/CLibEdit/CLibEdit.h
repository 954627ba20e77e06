// libedit (BSD editline), found through pkg-config "libedit".
// Its variadic calls (el_set, el_wset, el_get, history_w) cannot be called from Swift:
// use the fixed-argument wrappers in CLibEditShim instead.
#include <histedit.h>
