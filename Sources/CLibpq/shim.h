// libpq from Debian's libpq-dev installs its headers under postgresql/.
#include <postgresql/libpq-fe.h>
