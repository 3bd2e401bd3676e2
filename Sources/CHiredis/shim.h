// hiredis 0.14 (Debian 12). Swift calls the non-variadic redisCommandArgv, so no C shim is needed.
#include <hiredis/hiredis.h>
