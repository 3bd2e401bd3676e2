// libyaml's event parser; Swift calls it directly.
#include <yaml.h>
