#include "crypto/process.hpp"

#include <cstdlib>

namespace certtool::crypto {

void configure_process() {
    // Read by Botan when it first allocates memory for a big number or hash.
    ::setenv("BOTAN_MLOCK_POOL_SIZE", "0", 0);
}

}  // namespace certtool::crypto
