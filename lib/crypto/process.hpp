// Settings of the crypto libraries for the whole process, made once at
// start-up, before any thread and any use of them.
#pragma once

namespace certtool::crypto {

// Botan's pool of locked (mlock'ed) memory is turned off, unless
// BOTAN_MLOCK_POOL_SIZE says otherwise. The pool keeps secrets out of swap,
// but certtool gives Botan only public data (certificates and requests; keys
// are OpenSSL's), and the pool's one mutex, taken for every big-number and
// hash buffer, made the threads of verify and audit wait for each other.
void configure_process();

}  // namespace certtool::crypto
