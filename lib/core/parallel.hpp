// Work shared out over threads, one per core by default. A thread the system
// will not start (std::system_error: a container's task limit, RLIMIT_NPROC)
// is not an error: the threads that did start, this one always among them, do
// its share. Nothing here ends the process: every thread started is joined on
// every path.
#pragma once

#include <cstddef>
#include <functional>
#include <thread>

namespace certtool {

// Starts a thread running `body`, or throws as std::thread's constructor does.
using ThreadStarter = std::function<std::thread(std::function<void()> body)>;

struct Parallel {
    unsigned threads = 0;  // at most this many, the calling thread included; 0 = one per core
    ThreadStarter start;   // empty: std::thread; tests give one that fails
};

// Calls work(i) once for every i in [0, count), spread over up to
// options.threads threads (never more than count). Returns when every call has
// returned. When calls throw, the exception of the lowest i is rethrown, after
// every call has run (as one thread going through them in order would).
void parallel_for_each(std::size_t count, const std::function<void(std::size_t)>& work, const Parallel& options = {});

}  // namespace certtool
