// GCC 13 calls std::ios_base_library_init() where earlier compilers put a static std::ios_base::Init object in every
// file that includes <iostream>; this does the same for TorchSharp's glue on a libstdc++ older than GCC 13 (setup.sh).
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
